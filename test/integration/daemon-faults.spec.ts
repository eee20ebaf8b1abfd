import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorker, waitForLine } from '../../fixtures/buildbot/harness.js';
import { killSession } from '../../src/host/kill.js';
import { daemonSuite, DaemonRun, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';
import { runner } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

// Faults that need no master: the worker dials a loopback port nobody listens on.
const suite = daemonSuite('runner-daemon-faults-', false);
const root = suite.root;
const strays: number[] = [];
afterEach(async () => {
  for (const pid of strays.splice(0)) await killSession(pid);
});

const SLOW = 240_000;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;
const is = (name: string) => (e: DaemonEvent) => e.event === name;

async function setup(name: string, lifecycle: string[]) {
  const dir = join(root, name);
  mkdirSync(dir);
  const basedir = await createWorker(join(dir, 'worker'), await freePort(), { allowShutdown: 'signal' });
  const { config, stateDir } = writeDaemonConfig(
    dir,
    [],
    [`  worker: { basedir: ${basedir} }`, '  drain: { via: signal }', ...lifecycle],
  );
  return { dir, basedir, config, stateDir };
}

describe('runner daemon: faults without a master', () => {
  it('a config without lifecycle: runs nothing and says why (exit 1)', async () => {
    const config = join(root, 'plain.yaml');
    writeFileSync(config, `checks:\n  - purge: { dirs: [${root}/builds], missing_ok: true }\n`);
    const r = await runner(['daemon', '--config', config, '--once'], { env: { JOURNAL_STREAM: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^${ISO.source} runner: ${config}: runner daemon needs a lifecycle: section \\(the worker to run; see runner config schema\\)$`,
      ),
    );
  });

  it.each([
    ['--allow-shutdown=signal', 'stamp', "allow_shutdown = 'signal'", "needs allow_shutdown = 'file'"],
    ['no --allow-shutdown', 'signal', 'allow_shutdown = None', "needs allow_shutdown = 'signal'"],
  ] as const)(
    'buildbot.tac made with %s, drain.via %s: a config error naming the file and the value (exit 1); nothing starts, no halt',
    async (made, via, value, needs) => {
      const dir = join(root, `tac-${via}`);
      mkdirSync(dir);
      const allow = made === '--allow-shutdown=signal' ? { allowShutdown: 'signal' as const } : {};
      const basedir = await createWorker(join(dir, 'worker'), await freePort(), allow);
      const halted = join(dir, 'halted');
      const { config, stateDir } = writeDaemonConfig(
        dir,
        [],
        [
          `  worker: { basedir: ${basedir} }`,
          `  drain: { via: ${via} }`,
          `  halt: [sh, -c, "echo halted > ${halted}"]`,
        ],
      );
      const run = (suite.run = new DaemonRun(config, stateDir, basedir));
      expect(await run.exit(60_000)).toEqual({ code: 1, signal: null });
      expect(run.stderr.trim()).toBe(
        `${run.stderr.slice(0, 24)} runner: ${basedir}/buildbot.tac: ${value}, but lifecycle.drain.via is ${via} in ${config}, which ${needs} (make them match)`,
      );
      expect(run.stderr).toMatch(new RegExp(`^${ISO.source} `));
      expect(existsSync(join(basedir, 'twistd.log'))).toBe(false);
      expect(existsSync(halted)).toBe(false);
      expect(run.events()).toEqual([]);
    },
    SLOW,
  );

  it('a buildbot.tac the worker itself would refuse (no Application line): exit 1 naming it, never failed tries into a halt', async () => {
    const t = await setup('no-app', [`  halt: [sh, -c, "echo halted > ${root}/no-app-halted"]`]);
    writeFileSync(join(t.basedir, 'buildbot.tac'), "allow_shutdown = 'signal'\n");
    const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
    expect(await run.exit(60_000)).toEqual({ code: 1, signal: null });
    expect(run.stderr.trim().slice(25)).toBe(
      `runner: ${t.basedir}/buildbot.tac: has no Application('buildbot-worker') line: not a buildbot worker dir, the worker would refuse it`,
    );
    expect(existsSync(join(root, 'no-app-halted'))).toBe(false);
  });

  it(
    'master down: no attach within attach_timeout, the worker is stopped, retried, then halt (exit 16 with no halt command)',
    async () => {
      const t = await setup('down', ['  attach_timeout: 2s', '  retry: { tries: 2, base: 0.1s, jitter: 0s }']);
      writeFileSync(join(t.basedir, 'twistd.pid'), 'garbage\n'); // left by some earlier daemon-mode worker
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.exit()).toEqual({ code: 16, signal: null });
      const events = run.events();
      expect(events.find(is('stale-pid'))).toMatchObject({
        detail: expect.stringMatching(/removed stale .*twistd\.pid \(not a pid: "garbage\\n"\)/),
      });
      expect(events.filter(is('stopped')).map((e) => [e.failure, e.stopped])).toEqual([
        ['attach-timeout', 'attach-timeout'],
        ['attach-timeout', 'attach-timeout'],
      ]);
      expect(events.filter(is('failed')).length).toBe(1);
      expect(run.stderr).toMatch(/halt: worker: the worker did not attach to a master in time \(2 of 2 tries\)/);
      expect(run.stderr).toMatch(/exit 16: halted .*; no halt command configured/);
      expect(existsSync(join(t.basedir, 'twistd.pid'))).toBe(false);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a worker already running for the basedir: never a second one; failed tries, then halt',
    async () => {
      const t = await setup('twice', ['  attach_timeout: 60s', '  retry: { tries: 2, base: 0.1s, jitter: 0s }']);
      const stray = spawn('buildbot-worker', ['start', '--nodaemon', t.basedir], {
        cwd: t.basedir,
        detached: true,
        stdio: 'ignore',
      });
      strays.push(stray.pid as number);
      await waitForLine(join(t.basedir, 'twistd.log'), /Setting up SIGHUP handler/, 60_000);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.exit()).toEqual({ code: 16, signal: null });
      const stopped = run.events().filter(is('stopped'));
      expect(stopped.map((e) => e.failure)).toEqual(['already-running', 'already-running']);
      expect(stopped[0]?.why).toBe(`a worker is already running in ${t.basedir} (pid ${stray.pid})`);
      expect(run.events().some(is('started'))).toBe(false);
      expect(stray.exitCode).toBeNull(); // left alone: not ours
    },
    SLOW,
  );

  it(
    'a typo in the worker user or command with halt: [reboot]: a config error (exit 1), never a halt, never a reboot loop',
    async () => {
      const halted = join(root, 'typo-halted');
      const t = await setup('typo', ['  retry: { tries: 1 }', `  halt: [sh, -c, "echo halted > ${halted}"]`]);
      writeFileSync(
        t.config,
        readFileSync(t.config, 'utf8').replace(
          `basedir: ${t.basedir} }`,
          `basedir: ${t.basedir}, user: rtest-nosuchuser, command: [buildbot-workr, start, --nodaemon, ${t.basedir}] }`,
        ),
      );
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.exit()).toEqual({ code: 1, signal: null });
      const lines = run.stderr.trim().split('\n');
      expect(lines.map((l) => l.slice(25))).toEqual([
        `runner: ${t.config}: lifecycle.worker.user: 'rtest-nosuchuser' does not exist (getent passwd rtest-nosuchuser)`,
        `runner: ${t.config}: lifecycle.worker.command: 'buildbot-workr' is not on PATH (${process.env.PATH})`,
      ]);
      expect(existsSync(halted)).toBe(false);
      expect(run.events()).toEqual([]);
    },
    SLOW,
  );
});
