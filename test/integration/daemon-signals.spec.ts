import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLines, createWorker, delay, sendChange } from '../../fixtures/buildbot/harness.js';
import type { Result } from '../../src/core/types.js';
import { isAlive, sessionMembers } from '../../src/host/procfs.js';
import { runner } from '../helpers/cli.js';
import { daemonSuite, DaemonRun, waitForStep, writeDaemonConfig, type DaemonEvent } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';

// One real buildbot master for this file. Workers drain by SIGHUP here (instant); the stamp is covered in daemon.spec.ts.
const suite = daemonSuite('runner-daemon-sig-');
const root = suite.root;

// real buildbot processes on 2 shared cores: generous, never asserted
const SLOW = 240_000;
const is = (name: string, n?: number) => (e: DaemonEvent) => e.event === name && (n === undefined || e.iteration === n);

async function setup(name: string, checks: string[], lifecycle: string[]) {
  const dir = join(root, name);
  mkdirSync(dir);
  const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown: 'signal' });
  const { config, stateDir } = writeDaemonConfig(dir, checks, [
    `  worker: { basedir: ${basedir} }`,
    '  attach_timeout: 60s',
    '  retry: { tries: 3, base: 0.2s, jitter: 0s }',
    ...lifecycle,
  ]);
  return { dir, basedir, config, stateDir };
}

describe('runner daemon: signals, the disable lock, retries', () => {
  it(
    'SIGTERM mid-build: the build finishes, the worker exits, nothing more runs, exit 0, nothing left behind',
    async () => {
      const t = await setup(
        'sigterm',
        [`  - purge: { dirs: [${root}/none], missing_ok: true }`],
        ['  postflight: all', '  drain: { after_first_job: false, via: signal }'],
      );
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      await run.waitFor(is('attached'));
      const gate = join(t.dir, 'gate');
      await sendChange(suite.master.port, { gate, mark: join(t.dir, 'mark') });
      await run.waitFor(is('build-started'));
      run.proc.kill('SIGTERM');
      expect(await run.waitFor(is('draining'))).toMatchObject({ detail: 'interrupt' });
      await run.waitFor(is('drain-acknowledged'));
      writeFileSync(gate, ''); // the build may finish now
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      expect(existsSync(join(t.dir, 'mark'))).toBe(true);
      const events = run.events();
      expect(events.find(is('stopped'))).toMatchObject({
        exit: { code: 0, signal: null },
        drain: 'interrupt',
        builds: 1,
      });
      expect(events.some(is('postflight'))).toBe(false);
      expect(events.at(-1)).toMatchObject({ event: 'exit', code: 0 });
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'the disable lock holds the worker back until runner enable; runner check reports it',
    async () => {
      const t = await setup(
        'lock',
        [`  - purge: { dirs: [${root}/none], missing_ok: true }`],
        ['  lock_poll: 0.2s', '  drain: { via: signal }'],
      );
      const off = await runner(['disable', '--config', t.config, '--reason', 'reimaging the disk']);
      expect(off.code).toBe(0);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      expect(await run.waitFor(is('disabled'))).toMatchObject({
        state: 'disabled',
        lock: { state: 'active', lock: { reason: 'reimaging the disk' } },
      });
      const check = JSON.parse((await runner(['check', '--config', t.config, '--format', 'json'])).stdout);
      expect(check.hosts[0].lock).toMatchObject({ state: 'active', lock: { reason: 'reimaging the disk' } });
      await delay(1000); // several re-checks of the lock
      expect(run.events().map((e) => e.event)).toEqual(['disabled']);
      expect(existsSync(join(t.basedir, 'twistd.log'))).toBe(false);
      expect(run.stderr).toMatch(
        /disabled by \S+ since .*, until runner enable: reimaging the disk; re-checking every 0s/,
      );

      expect((await runner(['enable', '--config', t.config])).code).toBe(0);
      await run.waitFor(is('enabled'));
      await run.waitFor(is('attached'));
      expect(
        run
          .events()
          .map((e) => e.event)
          .slice(0, 4),
      ).toEqual(['disabled', 'enabled', 'preflight', 'checks']);
      run.proc.kill('SIGINT'); // an idle worker drains at once
      expect(await run.exit()).toEqual({ code: 0, signal: null });
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );

  it(
    'a check failing twice then passing: retried at that check with backoff, never skipping one',
    async () => {
      const builds = join(root, 'flaky-builds');
      mkdirSync(join(builds, 'bd1', 'obj'), { recursive: true });
      writeFileSync(join(builds, 'bd1', 'last-clobber'), '1700000000\n');
      const feed = {
        result: [{ branch: 'main', builddir: 'bd1', slave: null, lastclobber: 1800000000, who: 'sheriff' }],
      };
      let requests = 0;
      const server: Server = createServer((_, res) => {
        requests += 1;
        if (requests <= 2) res.writeHead(500).end('busy');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(feed));
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      let run: DaemonRun;
      try {
        const t = await setup(
          'flaky',
          [
            `  - purge: { dirs: [${builds}], max_age: off }`,
            `  - clobber: { dir: ${builds}, feed: "http://127.0.0.1:${port}/lastclobber/all", host: bld-01, timeout: 10s }`,
          ],
          ['  drain: { via: signal }'],
        );
        run = suite.run = new DaemonRun(t.config, t.stateDir, t.basedir, ['--once']);
        await run.waitFor(is('attached'));
        run.proc.kill('SIGTERM');
        expect(await run.exit()).toEqual({ code: 0, signal: null });
      } finally {
        server.close();
      }
      const events = run.events();
      const checks = events.filter(is('checks'));
      const ran = checks.map((e) => (e.results as Result[]).map((r) => `${r.check}:${r.status}`));
      expect(ran).toEqual([['purge:ok', 'clobber:failed'], ['clobber:failed'], ['clobber:changed']]);
      expect(checks.map((e) => e.from)).toEqual([0, 1, 1]);
      expect(events.filter(is('failed')).map((e) => [e.step, e.tries, e.delayMs])).toEqual([
        ['clobber', 1, 200],
        ['clobber', 2, 300],
      ]); // base 0.2s, factor 1.5
      expect(events.filter(is('preflight')).map((e) => e.from)).toEqual([0, 1, 1]);
      expect(requests).toBe(3); // two failures, then one fetch shared by the probe and the re-probe
      expect(readdirSync(join(builds, 'bd1'))).toEqual(['last-clobber']);
      expect(run.stderr).toMatch(/failed: preflight clobber: .*HTTP 500.*; try 2 of 3 in 0s/);
    },
    SLOW,
  );

  // last in this file: the master re-queues the killed build, and no later test should receive it
  it(
    'a second SIGTERM stops the worker session at once: exit 130, nothing left behind',
    async () => {
      const t = await setup('hard', [], ['  drain: { after_first_job: false, via: signal, deadline: 10m }']);
      const run = (suite.run = new DaemonRun(t.config, t.stateDir, t.basedir));
      await run.waitFor(is('attached'));
      await sendChange(suite.master.port, { gate: join(t.dir, 'never'), sleep: 0 });
      await run.waitFor(is('build-started'));
      const worker = (await run.waitFor(is('started'))).pid as number;
      const steps = await waitForStep(worker);
      const members = await sessionMembers(worker);
      expect(members).toEqual(expect.arrayContaining([worker, ...steps]));
      run.proc.kill('SIGTERM');
      await run.waitFor(is('drain-acknowledged')); // the first signal drains: the build is still held by its gate
      run.proc.kill('SIGTERM');
      expect(await run.exit()).toEqual({ code: 130, signal: null });
      for (const pid of members) expect(await isAlive(pid)).toBe(false);
      expect(run.events().at(-1)).toMatchObject({ event: 'exit', code: 130 });
      expect(
        countLines(join(t.basedir, 'twistd.log'), /Received SIGTERM|Initiating shutdown because we got SIGHUP/),
      ).toBeGreaterThan(0);
      expect(await run.leftovers()).toEqual([]);
    },
    SLOW,
  );
});
