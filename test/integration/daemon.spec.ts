import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countLines, createWorker, sendChange } from '../../fixtures/buildbot/harness.js';
import { isAlive } from '../../src/host/procfs.js';
import { daemonSuite, DaemonRun, waitForStep, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';
import { ensureUser } from '../helpers/users.js';

// One real buildbot master on loopback for this file; each test gets its own worker dir and daemon.
const suite = daemonSuite('runner-daemon-');
const root = suite.root;

const MAIN = [
  'preflight',
  'checks',
  'starting',
  'started',
  'attached',
  'build-started',
  'draining',
  'drain-requested',
  'stopped',
  'postflight',
];
const of = (n: number) => (e: DaemonEvent) => e.iteration === n;
// real buildbot processes on 2 shared cores: generous, never asserted
const SLOW = 240_000;
const is = (name: string, n?: number) => (e: DaemonEvent) => e.event === name && (n === undefined || e.iteration === n);

describe('runner daemon with a real buildbot master and worker', () => {
  it(
    'runs full iterations: preflight fixes drift, the worker attaches, builds, drains by stamp, postflight, attaches again, halts',
    async () => {
      const dir = join(root, 'full');
      const user = ensureUser('rtest-worker');
      chmodSync(root, 0o755); // mkdtemp makes it 0700: the worker's user must reach its basedir
      const builds = join(dir, 'builds');
      mkdirSync(join(builds, 'old-build'), { recursive: true });
      mkdirSync(join(builds, 'recent-build'));
      const month = new Date(Date.now() - 30 * 86400e3);
      utimesSync(join(builds, 'old-build'), month, month);
      const marks = join(dir, 'marks');
      mkdirSync(marks);
      chmodSync(marks, 0o777);
      const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown: 'file' });
      execFileSync('chown', ['-R', `${user.uid}:${user.gid}`, basedir]);
      const { config, stateDir } = writeDaemonConfig(
        dir,
        [`  - purge: { dirs: [${builds}], max_age: 7d, min_age: 1h }`],
        [
          `  worker: { basedir: ${basedir}, user: rtest-worker }`,
          '  postflight: [purge]',
          '  attach_timeout: 60s',
          '  drain: { via: stamp, deadline: 2m }',
          '  iterations: 2',
          '  retry: { tries: 2, base: 1s, jitter: 0s }',
          `  halt: [sh, -c, "echo halted >> ${dir}/halted"]`,
          `  textfile: ${dir}/runner.prom`,
        ],
      );
      const run = (suite.run = new DaemonRun(config, stateDir, basedir));

      await run.waitFor(is('attached', 1));
      const started = await run.waitFor(is('started', 1));
      expect(readFileSync(join(stateDir, 'worker.pid'), 'utf8')).toBe(`${started.pid}\n`); // for processes.protect
      // read again at the next iteration boundary: the halt command changes
      writeFileSync(config, readFileSync(config, 'utf8').replace('echo halted', 'echo reloaded'));
      await sendChange(suite.master.port, { mark: join(marks, 'one') });
      await run.waitFor(is('attached', 2));
      await sendChange(suite.master.port, { mark: join(marks, 'two') });
      expect(await run.exit()).toEqual({ code: 0, signal: null });

      const events = run.events();
      for (const n of [1, 2])
        expect(
          events
            .filter(of(n))
            .map((e) => e.event)
            .filter((e) => MAIN.includes(e)),
        ).toEqual([...MAIN, 'checks']);
      expect(events.filter(is('drain-requested')).map((e) => e.via)).toEqual(['stamp', 'stamp']);
      // buildbot 3.x logs no builder name nor build number: the builder comes from the command's `in dir` line
      expect(events.filter(is('build-builder')).map((e) => [e.iteration, e.build, e.builder])).toEqual([
        [1, 1, 'sleepy'],
        [2, 1, 'sleepy'],
      ]);
      expect(events.slice(-3).map((e) => e.event)).toEqual(['halt', 'halted', 'exit']);
      expect(events.find(is('halted'))).toMatchObject({
        ran: true,
        ok: true,
        detail: expect.stringMatching(/exited 0/),
      });
      expect(readFileSync(join(dir, 'halted'), 'utf8')).toBe('reloaded\n');

      // preflight of iteration 1 fixed the drift; the build ran as the worker's user
      const first = events.find((e) => is('checks', 1)(e) && e.phase === 'preflight') as DaemonEvent;
      expect(first.results).toMatchObject([{ check: 'purge', status: 'changed' }]);
      expect(existsSync(join(builds, 'old-build'))).toBe(false);
      expect(existsSync(join(builds, 'recent-build'))).toBe(true);
      expect((started.argv as string[])[0]).toBe('setpriv');
      for (const mark of ['one', 'two']) expect(statSync(join(marks, mark)).uid).toBe(user.uid);

      const last = JSON.parse(readFileSync(join(stateDir, 'last_run.json'), 'utf8'));
      expect(last).toMatchObject({ state: 'exit', iteration: 2, counters: { iterations: 2, halts: 1, retries: 0 } });
      expect(Object.keys(last.phases)).toEqual(
        expect.arrayContaining(['preflight', 'starting', 'attached', 'draining', 'postflight']),
      );
      const prom = readFileSync(join(dir, 'runner.prom'), 'utf8');
      expect(prom).toContain('runner_iterations_total{mode="daemon"} 2\n');
      expect(prom).toContain('runner_state{mode="daemon",state="exit"} 1\n');
      expect(prom).toContain('runner_check_status{mode="daemon",check="purge",status="ok"} 1\n');
      expect(prom).toMatch(/runner_phase_seconds\{mode="daemon",phase="draining"\} \d/);
      expect(prom).toContain('runner_turnaround_seconds_count{mode="daemon"} 1\n');
      expect(prom).toMatch(/runner_reclaimed_bytes_total\{mode="daemon"\} [1-9]/); // old-build went
      expect(existsSync(join(stateDir, 'worker.pid'))).toBe(false);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a worker killed mid-build: its orphaned build step is stopped, postflight runs, the next iteration attaches',
    async () => {
      const dir = join(root, 'killed');
      mkdirSync(dir);
      const gate = join(dir, 'gate');
      const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown: 'signal' });
      const { config, stateDir } = writeDaemonConfig(
        dir,
        [`  - purge: { dirs: [${dir}/builds], missing_ok: true }`],
        [
          `  worker: { basedir: ${basedir} }`,
          '  postflight: all',
          '  attach_timeout: 60s',
          '  drain: { via: signal, deadline: 2m, stop_grace: 2s }',
          '  iterations: 2',
          '  retry: { tries: 2, base: 1s, jitter: 0s }',
        ],
      );
      const run = (suite.run = new DaemonRun(config, stateDir, basedir));
      await run.waitFor(is('attached', 1));
      writeFileSync(config, `${readFileSync(config, 'utf8')}  halt: not-a-list\n`); // broken: the daemon keeps its config
      await sendChange(suite.master.port, { gate, mark: join(dir, 'mark') });
      await run.waitFor(is('build-started', 1));
      const worker = Number(readFileSync(join(stateDir, 'worker.pid'), 'utf8'));
      const steps = await waitForStep(worker);
      expect(steps.length).toBe(1);
      process.kill(worker, 'SIGKILL');

      const stopped = await run.waitFor(is('stopped', 1));
      expect(stopped.exit).toEqual({ code: null, signal: 'SIGKILL' });
      expect(stopped.swept).toEqual(expect.arrayContaining(steps));
      expect(await isAlive(steps[0] as number)).toBe(false);
      await run.waitFor((e) => is('checks', 1)(e) && e.phase === 'postflight');
      await run.waitFor(is('attached', 2));
      // the master re-queues the interrupted build (RETRY); let it finish this time
      writeFileSync(gate, '');
      expect(await run.exit()).toEqual({ code: 16, signal: null }); // halted after 2 iterations, no halt command
      expect(existsSync(join(dir, 'mark'))).toBe(true);
      expect(run.stderr).toMatch(/stopped \d+ leftover processes of its session/);
      expect(run.events().find(is('config-error'))).toMatchObject({
        error: expect.stringMatching(/runner\.yaml:\d+:\d+: lifecycle\.halt/),
      });
      expect(run.stderr).toMatch(/exit 16: halted \(2 iterations done\); no halt command configured/);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a wrong worker password: refused, bounded tries, then the halt command, whose result is reported',
    async () => {
      const dir = join(root, 'refused');
      mkdirSync(dir);
      const basedir = await createWorker(join(dir, 'worker'), suite.master.port, {
        allowShutdown: 'signal',
        password: 'not-the-password',
      });
      const { config, stateDir } = writeDaemonConfig(
        dir,
        [],
        [
          `  worker: { basedir: ${basedir} }`,
          '  attach_timeout: 60s',
          '  drain: { via: signal }',
          '  retry: { tries: 2, base: 0.1s, jitter: 0s }',
          `  halt: [sh, -c, "echo halting; echo 'no reboot here' >&2; exit 3"]`,
        ],
      );
      const run = (suite.run = new DaemonRun(config, stateDir, basedir));
      expect(await run.exit()).toEqual({ code: 17, signal: null }); // the halt command failed
      const events = run.events();
      expect(events.filter(is('stopped')).map((e) => e.failure)).toEqual(['refused', 'refused']);
      expect(events.filter(is('stopped')).every((e) => (e.why as string).includes('refused the login'))).toBe(true);
      expect(events.find(is('halt'))).toMatchObject({
        reason: expect.stringMatching(/^worker: the master refused the login .*\(2 of 2 tries\)$/),
      });
      expect(events.find(is('halted'))).toMatchObject({
        ran: true,
        ok: false,
        detail: "'sh -c echo halting; echo 'no reboot here' >&2; exit 3' exited 3: no reboot here",
      });
      expect(run.stderr).toMatch(/exit 17: halt command failed/);
      expect(countLines(join(suite.master.dir, 'twistd.log'), /invalid login from user 'w1'/)).toBeGreaterThanOrEqual(
        2,
      );
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );
});
