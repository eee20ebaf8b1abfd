import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLines, createWorker, sendChange } from '../../fixtures/buildbot/harness.js';
import { runner } from '../helpers/cli.js';
import { daemonSuite, DaemonRun, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';

// A log an operator can trust (issue 14): what each signal does, what really happened, runner status. One real master.
const suite = daemonSuite('runner-daemon-log-');
const root = suite.root;
// real buildbot processes on 2 shared cores: generous, never asserted
const SLOW = 240_000;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
const is = (name: string) => (e: DaemonEvent) => e.event === name;

async function setup(name: string, allowShutdown: 'file' | 'signal', lifecycle: string[]) {
  const dir = join(root, name);
  mkdirSync(dir);
  const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown });
  const { config, stateDir } = writeDaemonConfig(
    dir,
    [`  - purge: { dirs: [${dir}/builds], missing_ok: true }`],
    [`  worker: { basedir: ${basedir} }`, '  attach_timeout: 60s', ...lifecycle],
  );
  return { dir, basedir, config, stateDir };
}

describe('runner daemon: a log an operator can trust', () => {
  it(
    'via stamp, a signal to an idle worker stops it at once: it takes no build sent after the request; runner status before, during, after',
    async () => {
      const t = await setup('idle', 'file', ['  drain: { via: stamp }']);
      const never = await runner(['status', '--config', t.config]);
      expect(never).toMatchObject({
        code: 3,
        stdout: expect.stringMatching(/^runner daemon: not running; it has never run here/),
      });

      // under journald (JOURNAL_STREAM set) the lines carry no time of their own: journald stamps them
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir, [], { JOURNAL_STREAM: '8:4242' }));
      await run.waitFor(is('attached'));
      const worker = (await run.waitFor(is('started'))).pid as number;
      const during = await runner(['status', '--config', t.config]);
      expect(during.code).toBe(0);
      const lines = during.stdout.split('\n');
      expect(lines[0]).toMatch(
        new RegExp(`^runner daemon: running \\(pid ${run.proc.pid}\\); attached since ${ISO.source} \\(\\d+s ago\\)$`),
      );
      expect(lines.slice(1)).toEqual(
        expect.arrayContaining([
          'iteration: 1 (0 done, 0 retries, 0 halts since the daemon started)',
          `worker: pid ${worker}, 0 builds started`,
          'lock: enabled',
          'checks (last outcome):',
          expect.stringMatching(new RegExp(`^  purge  ok +preflight of iteration 1, ${ISO.source}: `)),
          'next: drain when the first build starts',
          'last: worker attached',
        ]),
      );
      const json = JSON.parse((await runner(['status', '--config', t.config, '--format', 'json'])).stdout);
      expect(json).toMatchObject({
        version: 1,
        running: true,
        pid: run.proc.pid,
        state: 'attached',
        iteration: 1,
        worker: { pid: worker, builds: 0 },
        checks: [{ check: 'purge', status: 'ok', phase: 'preflight', iteration: 1 }],
        lock: { state: 'none', summary: 'enabled' },
        pendingDeletions: [],
        next: { action: 'drain when the first build starts' },
      });

      run.proc.kill('SIGTERM');
      expect(await run.waitFor(is('signal'))).toMatchObject({
        signal: 'SIGTERM',
        count: 1,
        then: 'stop the idle worker at once (SIGTERM: no build has started); then exit',
      });
      await run.waitFor(is('stopping'));
      await sendChange(suite.master.port, { mark: join(t.dir, 'mark') }); // a build the master wants to run now
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      const events = run.events();
      expect(events.some(is('build-started'))).toBe(false);
      expect(events.some(is('drain-requested'))).toBe(false);
      expect(events.find(is('stopping'))?.detail).toMatch(/^idle: no build has started: SIGTERM now/);
      expect(events.find(is('stopped'))).toMatchObject({ how: 'idle', builds: 0, drain: 'interrupt' });
      expect(events.at(-1)).toMatchObject({
        event: 'exit',
        code: 0,
        signals: ['SIGTERM'],
        reason: 'stopped by SIGTERM: the worker was idle: stopped at once by SIGTERM, no build lost',
      });
      expect(
        run.stderr
          .trim()
          .split('\n')
          .every((l) => l.startsWith('runner daemon: ')),
      ).toBe(true);
      expect(countLines(join(t.basedir, 'twistd.log'), /startCommand/)).toBe(0);
      expect(await run.leftovers()).toEqual([]);

      const after = await runner(['status', '--config', t.config]);
      expect(after.code).toBe(3);
      expect(after.stdout).toMatch(
        new RegExp(`^runner daemon: not running \\(was pid ${run.proc.pid}\\); exit since `),
      );
      expect(after.stdout).toContain('\nnext: none: the daemon has exited\n');
      expect(after.stdout).toContain('\nlast: exit 0: stopped by SIGTERM: the worker was idle');

      // the build was really waiting for a worker: the next one takes it, drains by stamp after it, and exits (--once)
      const seen = run.events().length; // both runs append to the same events.jsonl
      const again = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir, ['--once']));
      await again.waitFor(is('build-started'));
      expect(await again.exit()).toEqual({ code: 0, signal: null });
      expect(existsSync(join(t.dir, 'mark'))).toBe(true);
      const second = again.events().slice(seen);
      expect(second.find(is('stopped'))).toMatchObject({ how: 'drained', acknowledged: true, builds: 1 });
      expect(second.find(is('drain-requested'))).toMatchObject({ via: 'stamp' });
    },
    SLOW,
  );

  // last in this file: the master re-queues the killed build, and no later test should receive it
  it(
    'a SIGTERM while a drain is under way is logged when it arrives; killed at the drain deadline, the final line says so (exit 18)',
    async () => {
      const t = await setup('deadline', 'signal', ['  drain: { via: signal, deadline: 8s, stop_grace: 1s }']);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      await run.waitFor(is('attached'));
      await sendChange(suite.master.port, { gate: join(t.dir, 'never'), sleep: 0 }); // a build that never ends
      await run.waitFor(is('drain-acknowledged')); // drained after the first job, by SIGHUP
      run.proc.kill('SIGTERM');
      const signal = await run.waitFor(is('signal'));
      expect(signal.then).toMatch(
        new RegExp(
          `^a drain is already under way \\(after-first-job, requested\\): nothing more to ask; exit once the worker has finished its build, or kill its session at the drain deadline, ${ISO.source}$`,
        ),
      );
      expect(await run.exit()).toEqual({ code: 18, signal: null });
      const events = run.events();
      expect(events.find(is('stopping'))).toMatchObject({ detail: 'deadline' });
      expect(events.find(is('stopped'))).toMatchObject({ how: 'killed', acknowledged: true, builds: 1 });
      const reason =
        "stopped by SIGTERM: the worker's session was killed at the drain deadline, not drained (1 build started; a running build was lost)";
      expect(events.at(-1)).toMatchObject({ event: 'exit', code: 18, reason });
      // not under journald: every line has its ISO time
      const lines = run.stderr.trim().split('\n');
      for (const line of lines) expect(line).toMatch(new RegExp(`^${ISO.source} runner daemon: `));
      expect(lines.some((l) => l.includes('iteration 1: got SIGTERM: a drain is already under way'))).toBe(true);
      expect(lines.at(-1)?.slice(25)).toBe(`runner daemon: iteration 1: exit 18: ${reason}`);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );
});
