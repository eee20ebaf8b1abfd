import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../fixtures/buildbot/harness.js';
import { VERSION } from '../../src/core/version.js';
import { runner } from '../helpers/cli.js';
import { daemonSuite, DaemonRun, writeDaemonConfig } from '../helpers/daemon.js';
import { query, startNodeExporter, startPrometheus, stop, waitForSample, type Server } from '../helpers/prometheus.js';

// The real chain: runner's textfiles → node_exporter's textfile collector → Prometheus scraping it every second.
const suite = daemonSuite('runner-prometheus-');
const root = suite.root;
const textDir = join(root, 'textfiles');
const RULES = fileURLToPath(new URL('../../deploy/prometheus/runner.rules.yml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../deploy/prometheus/grafana-dashboard.json', import.meta.url));
// a base dir name a hostile config could carry into a label: quote, backslash, newline, a fake sample
const HOSTILE = join(root, 'we"ird\\dir\nrunner_evil 1');
const SLOW = 240_000;

let exporter: Server | undefined;
let prom: Server | undefined;
beforeAll(async () => {
  mkdirSync(textDir);
  exporter = await startNodeExporter(textDir);
  prom = await startPrometheus(join(root, 'prometheus'), exporter.url, [RULES]);
});
afterAll(async () => {
  await stop(prom);
  await stop(exporter);
});

const value = async (expr: string) => Number((await waitForSample(prom as Server, expr))[0]?.value[1]);

describe('runner on Prometheus: the daemon textfile through node_exporter and a real Prometheus', () => {
  it(
    'two daemon iterations and a one-shot check: PromQL returns the worker state, checks, turnaround, space',
    async () => {
      const dir = join(root, 'daemon');
      const builds = join(dir, 'builds');
      mkdirSync(join(builds, 'old-build'), { recursive: true });
      const month = new Date(Date.now() - 30 * 86400e3);
      utimesSync(join(builds, 'old-build'), month, month);
      const basedir = await createWorker(join(dir, 'worker'), suite.master.port, { allowShutdown: 'signal' });
      const textfile = join(textDir, 'runner.prom');
      const { config, stateDir } = writeDaemonConfig(
        dir,
        [`  - purge: { dirs: [${builds}], free: 1KB, max_age: 7d, min_age: 1h }`],
        [
          `  worker: { basedir: ${basedir} }`,
          '  postflight: [purge]',
          '  attach_timeout: 60s',
          // no build needed: each session drains 2 s after it attached
          '  drain: { after_first_job: false, max_session: 2s, via: signal, deadline: 1m, stop_grace: 2s }',
          '  iterations: 2',
          '  retry: { tries: 2, base: 1s, jitter: 0s }',
          `  textfile: ${textfile}`,
        ],
      );
      const run = (suite.run = new DaemonRun(config, stateDir, basedir));
      expect(await run.exit()).toEqual({ code: 16, signal: null }); // halted, no halt command configured

      // the daemon's textfile is clean by promtool's linter
      expect(execFileSync('promtool', ['check', 'metrics'], { input: readFileSync(textfile), encoding: 'utf8' })).toBe(
        '',
      );
      // a one-shot check beside it, in a file of its own, with a hostile base dir name
      mkdirSync(HOSTILE);
      const oneShot = join(root, 'check.yaml');
      writeFileSync(oneShot, `checks:\n  - purge: { dirs: [${JSON.stringify(HOSTILE)}], free: 1KB }\n`);
      const checked = await runner(['check', '-c', oneShot, '--textfile', join(textDir, 'runner-check.prom')]);
      expect(checked.code, checked.stderr).toBe(0);

      const p = prom as Server;
      // scraped since both files were last written (neither changes again): every value below is final
      await waitForSample(p, 'runner_state{mode="daemon",state="exit"} == 1');
      await waitForSample(p, 'runner_build_info{mode="check"}');
      expect(await value('runner_state{mode="daemon",state="exit"}')).toBe(1);
      expect(await value('runner_halts_total{mode="daemon"}')).toBe(1);
      expect(await value('runner_iterations_total{mode="daemon"}')).toBe(2);
      expect(await value('runner_check_status{mode="daemon",check="purge",status="ok"}')).toBe(1);
      expect(await value('runner_check_status{mode="daemon",check="purge",status="changed"}')).toBe(0);
      expect(await value('runner_turnaround_seconds_count{mode="daemon"}')).toBe(1);
      expect(await value('runner_reclaimed_bytes_total{mode="daemon"}')).toBeGreaterThan(0); // old-build
      expect(await value(`runner_purge_target_bytes{mode="daemon",dir="${builds}"}`)).toBe(1000);
      expect(await value(`runner_purge_free_bytes{mode="daemon",dir="${builds}"}`)).toBeGreaterThan(1000);
      expect(await value('runner_last_run_exit_code{mode="daemon"}')).toBe(0); // the last postflight
      const built = await waitForSample(p, 'runner_build_info');
      expect(built.map((s) => [s.metric.mode, s.metric.version]).sort()).toEqual([
        ['check', VERSION],
        ['daemon', VERSION],
      ]);
      // the hostile name arrives as one label value, byte for byte, and adds no series
      const free = await waitForSample(p, 'runner_purge_free_bytes{mode="check"}');
      expect(free.map((s) => s.metric.dir)).toEqual([HOSTILE]);
      expect(await query(p, 'runner_evil')).toEqual([]);
      expect(await value('runner_last_run_exit_code{mode="check"}')).toBe(0);
      // node_exporter read both files without an error
      expect(await value('node_textfile_scrape_error')).toBe(0);
      // runner present: the missing-runner alert's expression is empty for this host
      expect(await query(p, 'up{job="node"} == 1 unless on(instance) runner_build_info')).toEqual([]);
      expect(await query(p, 'up{job="node"} == 1')).toHaveLength(1);
    },
    SLOW,
  );

  it('the rules load into Prometheus, and every dashboard query is valid PromQL there', async () => {
    const p = prom as Server;
    const res = (await (await fetch(`${p.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ name: string; rules: Array<{ name: string }> }> };
    };
    const rules = res.data.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['RunnerMissing', 'RunnerStale', 'RunnerHalted', 'RunnerPoolCapacityLow']),
    );
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exprs = dash.panels.flatMap((panel) => panel.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) await expect(query(p, expr), expr).resolves.toBeInstanceOf(Array);
  });

  it("runner apply --textfile: written atomically, never through a link, refused on the daemon's own file", async () => {
    const dir = join(root, 'oneshot');
    mkdirSync(join(dir, 'builds', 'old'), { recursive: true });
    const month = new Date(Date.now() - 30 * 86400e3);
    utimesSync(join(dir, 'builds', 'old'), month, month);
    const daemonFile = join(dir, 'daemon.prom');
    const cfg = join(dir, 'runner.yaml');
    const lifecycle = `lifecycle:\n  state_dir: ${dir}/state\n  worker: { basedir: ${dir}/w }\n  textfile: ${daemonFile}\n`;
    writeFileSync(cfg, `checks:\n  - purge: { dirs: [${dir}/builds], max_age: 7d }\n${lifecycle}`);
    const decoy = join(dir, 'decoy');
    writeFileSync(decoy, 'root-owned decoy\n');
    const out = join(dir, 'apply.prom');
    symlinkSync(decoy, out); // a link planted where the textfile goes is replaced, not written through

    const first = await runner(['apply', '-c', cfg, '--textfile', out]);
    expect(first.code, first.stderr).toBe(2);
    expect(lstatSync(out).isFile()).toBe(true);
    expect(readFileSync(decoy, 'utf8')).toBe('root-owned decoy\n');
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('runner_check_status{mode="apply",check="purge",status="changed"} 1\n');
    expect(text).toContain('runner_last_run_exit_code{mode="apply"} 2\n');
    expect(statSync(out).mode & 0o777).toBe(0o644); // node_exporter's user reads it
    // idempotent: the second apply changes nothing and says so
    const second = await runner(['apply', '-c', cfg, '--textfile', out]);
    expect(second.code, second.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('runner_check_status{mode="apply",check="purge",status="ok"} 1\n');

    const clash = await runner(['check', '-c', cfg, '--textfile', daemonFile]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`--textfile ${daemonFile}: the daemon's lifecycle.textfile`);
    expect(existsSync(daemonFile)).toBe(false);
    const nowhere = await runner(['check', '-c', cfg, '--textfile', join(dir, 'missing', 'x.prom')]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(`--textfile ${join(dir, 'missing', 'x.prom')}: `);
  });
});
