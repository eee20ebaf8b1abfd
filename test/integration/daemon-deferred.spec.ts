import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createWorker, sendChange } from '../../fixtures/buildbot/harness.js';
import { runner } from '../helpers/cli.js';
import { daemonSuite, DaemonRun, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';
import { DAY, HOUR, makeDirs } from '../helpers/dirs.js';
import { age } from '../helpers/hostile.js';
import { mountTmpfs } from '../helpers/mount.js';
import { PidNamespace } from '../helpers/pidns.js';

// Deferred deletion with a real buildbot master and worker: the checks only rename, the daemon deletes in the
// background while the worker is attached, resumes after a crash, and keeps a floor of free space.
const suite = daemonSuite('runner-deferred-');
const root = suite.root;
const SLOW = 240_000;
const MB = 1_000_000;
const is = (name: string) => (e: DaemonEvent) => e.event === name;
const ledger = (stateDir: string) =>
  JSON.parse(readFileSync(join(stateDir, 'pending.json'), 'utf8')).entries as { name: string; bytes: number }[];
// mounted before any test, so it is unmounted before the sandbox goes
const disk = join(root, 'floor', 'disk');
const mounted = mountTmpfs(disk, '16m');
const index = (events: DaemonEvent[], name: string, from = 0) =>
  events.findIndex((e, i) => i >= from && e.event === name);

/** A worker dir and a runner.yaml whose purge runs before and after the session; drained by SIGHUP. */
async function setting(dir: string, purge: string, drain = 'via: signal, deadline: 2m, stop_grace: 2s') {
  const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown: 'signal' });
  const written = writeDaemonConfig(
    dir,
    [`  - purge: { ${purge} }`],
    [
      `  worker: { basedir: ${basedir} }`,
      '  preflight: [purge]',
      '  postflight: [purge]',
      '  attach_timeout: 60s',
      `  drain: { ${drain} }`,
      '  retry: { tries: 2, base: 1s, jitter: 0s }',
    ],
  );
  return { basedir, ...written };
}

/** A tree of `dirs` × `files` one-byte files: its rm takes long enough to be caught under way. */
function bigTree(path: string, dirs: number, files: number): void {
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(path, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(path, `d${d}`, `f${f}`), 'x');
  }
}

describe('runner daemon: deferred deletion', () => {
  it(
    'purge only renames before and after the session; the pending dirs go in the background while the worker is attached; runner check shows what is pending',
    async () => {
      const dir = join(root, 'deferred');
      const builds = join(dir, 'builds');
      makeDirs(builds, [
        ['old-1', 30 * DAY, MB],
        ['old-2', 20 * DAY, MB],
        ['recent', 2 * HOUR, MB],
      ]);
      const { basedir, config, stateDir } = await setting(dir, `dirs: [${builds}], max_age: 7d, min_age: 1h`);
      const run = (suite.run = new DaemonRun(config, stateDir, basedir, ['--once']));
      const deleted = await run.waitFor(is('deleted'));
      expect(deleted).toMatchObject({ entries: 2, stopped: false, left: 0 });
      expect(readdirSync(builds)).toEqual(['recent']);
      makeDirs(builds, [['old-3', 30 * DAY, MB]]);
      await sendChange(suite.master.port, { mark: join(dir, 'mark') });
      expect(await run.exit()).toEqual({ code: 2, signal: null });

      const events = run.events();
      const checks = events.filter(is('checks'));
      expect(checks.map((e) => (e.results as { summary: string }[])[0]?.summary)).toEqual([
        expect.stringMatching(/^renamed 2 dirs \(.*\) to be deleted in the background$/),
        expect.stringMatching(/^renamed 1 dir \(.*\) to be deleted in the background$/),
      ]);
      // the worker started before anything was deleted; the deletion ran while it was attached
      const attached = index(events, 'attached');
      expect(index(events, 'started')).toBeLessThan(index(events, 'deleting'));
      expect(attached).toBeLessThan(index(events, 'deleting'));
      expect(index(events, 'deleted')).toBeLessThan(index(events, 'stopped'));
      expect(events.find(is('deleting'))).toMatchObject({ entries: 2, bytes: expect.any(Number) });
      expect((events.find(is('deleting'))?.bytes as number) >= 2 * MB).toBe(true);
      // the postflight's rename is what is left pending, and runner check says so
      expect(readdirSync(builds).sort()).toEqual(['old-3.deleteme', 'recent']);
      expect(ledger(stateDir).map((e) => e.name)).toEqual(['old-3.deleteme']);
      const human = await runner(['check', '--config', config]);
      expect(human.stdout).toMatch(/^note: 1 deletion pending \(1\.\d MB\): renamed to \.deleteme by runner/m);
      const json = JSON.parse((await runner(['check', '--config', config, '--format', 'json'])).stdout);
      expect(json.hosts[0].pending).toMatchObject({ entries: 1, path: join(stateDir, 'pending.json') });
      expect(json.hosts[0].pending.bytes).toBeGreaterThanOrEqual(MB);
      const status = await runner(['status', '--config', config]);
      expect(status.code).toBe(3); // the daemon is not running
      expect(status.stdout).toMatch(/^pending deletions: 1 \(1\.\d MB\)$/m);
      expect(status.stdout).toContain(join(builds, 'old-3.deleteme'));
      // planned as the daemon would: counted as being freed, not planned again
      const deferred = await runner(['check', '--config', config, '--defer-deletes']);
      expect(deferred.stdout).toMatch(/ok +purge +.* free \(\+1\.\d MB pending deletion\) on /);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a daemon killed with SIGKILL mid-delete (its whole pid namespace): the next start resumes the deletion',
    async () => {
      const dir = join(root, 'crash');
      const builds = join(dir, 'builds');
      bigTree(join(builds, 'huge'), 400, 60);
      age(join(builds, 'huge'), 30 * DAY);
      makeDirs(builds, [['recent', 2 * HOUR, MB]]);
      const { basedir, config, stateDir } = await setting(dir, `dirs: [${builds}], max_age: 7d, min_age: 1s`);
      const trash = join(builds, 'huge.deleteme');
      const ns = await PidNamespace.start();
      // not suite.run: its pids are the namespace's, and closing the namespace is its cleanup
      const first = new DaemonRun(config, stateDir, basedir, [], {}, [
        'nsenter',
        '-t',
        String(ns.init),
        '-p',
        '-m',
        '--',
      ]);
      try {
        await first.waitFor(is('deleting'));
        const full = lstatSync(trash).nlink;
        while ((lstatSync(trash, { throwIfNoEntry: false })?.nlink ?? 0) >= full)
          await new Promise((r) => setTimeout(r, 5));
      } finally {
        ns.close(); // SIGKILL to its init: the daemon, its rm and the worker die at once
        await first.exited;
      }
      expect(existsSync(trash)).toBe(true);
      expect(ledger(stateDir)).toMatchObject([{ name: 'huge.deleteme', bytes: 0 }]);

      const run = (suite.run = new DaemonRun(config, stateDir, basedir, ['--once']));
      expect(await run.waitFor(is('pending'))).toMatchObject({ entries: 1 });
      expect(await run.waitFor(is('deleted'))).toMatchObject({ entries: 1, stopped: false, left: 0 });
      expect(existsSync(trash)).toBe(false);
      await sendChange(suite.master.port, { mark: join(dir, 'mark') });
      expect(await run.exit()).toEqual({ code: 0, signal: null }); // nothing left to change
      expect(ledger(stateDir)).toEqual([]);
      expect(readdirSync(builds)).toEqual(['recent']);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'the floor: below purge.min_free_to_start what is pending there is deleted first; still below, the worker does not start',
    async () => {
      const dir = join(root, 'floor');
      if (!mounted) throw new Error('the floor test needs a tmpfs of its own (root)');
      const builds = join(disk, 'builds');
      makeDirs(builds, [['old', 30 * DAY, 10 * MB]]);
      const purge = `dirs: [${builds}], max_age: 7d, min_age: 1h, min_free_to_start: 12MB`;
      const drain = 'after_first_job: false, max_session: 1s, via: signal, stop_grace: 2s';
      const { basedir, config, stateDir } = await setting(dir, purge, drain);
      // renamed and recorded by a one-shot apply, so only the floor can delete it before the start
      writeFileSync(config, readFileSync(config, 'utf8').replace('  preflight: [purge]\n', '  preflight: []\n'));
      const applied = await runner(['apply', '--config', config, '--defer-deletes']);
      expect(applied.stdout, applied.stderr).toMatch(/changed +purge +renamed 1 dir/);
      expect(readdirSync(builds)).toEqual(['old.deleteme']);

      const run = (suite.run = new DaemonRun(config, stateDir, basedir, ['--once']));
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      const events = run.events();
      expect(events.find(is('floor-deleting'))).toMatchObject({ dir: builds, entries: 1, floorBytes: 12 * MB });
      expect(index(events, 'deleted')).toBeLessThan(index(events, 'started'));
      expect(events.find(is('floor'))).toBeUndefined();
      expect(readdirSync(builds)).toEqual([]);

      // a floor no deletion can reach: the worker never starts, the daemon says why and halts after its tries
      writeFileSync(config, readFileSync(config, 'utf8').replace('min_free_to_start: 12MB', 'min_free_to_start: 1GB'));
      const low = (suite.run = new DaemonRun(config, stateDir, basedir));
      expect(await low.exit()).toEqual({ code: 16, signal: null });
      const said = low.events().slice(events.length); // the same state dir: this run's events come after
      expect(said.filter(is('floor'))).toHaveLength(2);
      expect(said.find(is('floor'))).toMatchObject({ dir: builds, floorBytes: 1e9, pendingBytes: 0 });
      expect(said.find(is('started'))).toBeUndefined();
      expect(low.stderr).toMatch(
        new RegExp(
          `worker not started: ${builds} has \\d+(\\.\\d)? MB free, below purge\\.min_free_to_start \\(1\\.0 GB\\)`,
        ),
      );
      expect(said.find(is('halt'))).toMatchObject({ reason: expect.stringMatching(/^worker: .*min_free_to_start/) });
    },
    SLOW,
  );
});
