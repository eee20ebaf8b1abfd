import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeWorker, workerConfig } from '../../fixtures/worker.js';
import { runner } from '../helpers/cli.js';
import { VERSION } from '../../src/core/version.js';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';

const root = sandbox();

function config(name: string, text: string): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe('runner binary, end to end', () => {
  it('checks a realistic worker (exit 2, nothing touched), applies (exit 2), then is clean (exit 0, and apply again 0)', async () => {
    const w = makeWorker(join(root, 'worker'), { dirs: 40, maxDirBytes: 400_000 });
    // other writers share this disk, so the free-space target sits 1 GB below free space: only age and clobber drift here
    const cfg = config('worker', workerConfig(w, -1e9));
    const before = hashTree(w.root);
    const check = await runner(['check', '--config', cfg]);
    expect(check.code, check.stderr).toBe(2);
    expect(check.stdout).toMatch(/^drift +clobber +clobber \d+ build dirs?/m);
    expect(check.stdout).toMatch(/^drift +purge +delete \d+ dirs/m);
    expect(check.stdout).toContain('try-lx64-interrupted.deleteme');
    expect(hashTree(w.root)).toBe(before);

    const apply = await runner(['apply', '--config', cfg]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(2);
    expect(apply.stdout).toMatch(/^changed +purge +deleted \d+ dirs/m);
    for (const name of w.clobbered) expect(existsSync(join(w.base, name, 'build')), name).toBe(false);
    expect(listTree(w.base, 1)).toContain('info');

    const again = await runner(['check', '--config', cfg]);
    expect(again.code, again.stdout).toBe(0);
    const settled = hashTree(w.root);
    expect((await runner(['apply', '--config', cfg])).code).toBe(0);
    expect(hashTree(w.root)).toBe(settled);
  });

  it('exits 4 when a check fails and 6 with drift as well, naming the failure', async () => {
    const base = join(root, 'fail');
    makeDirs(base, [['old', 30 * DAY, 1000]]);
    const missingFeed = join(root, 'no-feed.json');
    const failing = config('fail', `checks:\n  - clobber: { dir: ${base}, feed: ${missingFeed} }\n`);
    const r4 = await runner(['check', '-c', failing]);
    expect(r4.code).toBe(4);
    expect(r4.stdout).toContain(`failed      clobber   probing clobber on`);
    expect(r4.stdout).toContain(`clobber feed ${missingFeed} does not exist`);
    const both = config(
      'both',
      `checks:\n  - clobber: { dir: ${base}, feed: ${missingFeed} }\n  - purge: { dirs: [${base}] }\n`,
    );
    expect((await runner(['check', '-c', both])).code).toBe(6);
    expect((await runner(['check', '-c', both, '--only', 'purge'])).code).toBe(2);
  });

  it('refuses a bad config with exit 1, naming file, line and field, and touches nothing', async () => {
    const base = join(root, 'badcfg');
    makeDirs(base, [['old', 30 * DAY, 1000]]);
    const before = hashTree(base);
    const bad = config(
      'bad',
      `checks:\n  - purge: { dirs: [${base}] }\n  - clobber:\n      dir: ${base}\n      feed: /f\n      skipp: [x]\n`,
    );
    const r = await runner(['apply', '-c', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:6:14: checks[1].clobber.skipp: unknown key`);
    expect(r.stdout).toBe('');
    expect(hashTree(base)).toBe(before);
  });

  it.each([
    [['check', '-c', '/nonexistent/runner.yaml'], 'cannot read config /nonexistent/runner.yaml: no such file'],
    [['check', '--format', 'xml'], "argument 'xml' is invalid"],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['check', '--bogus'], "unknown option '--bogus'"],
  ])('exits 1 for %j', async (args, says) => {
    const r = await runner(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(says);
  });

  it('exits 1 for --only naming a check that is not configured, and takes RUNNER_CONFIG', async () => {
    const base = join(root, 'only');
    makeDirs(base, [['young', DAY, 1000]]);
    const cfg = config('only', `checks:\n  - purge: { dirs: [${base}] }\n`);
    const r = await runner(['check', '--only', 'clobber'], { env: { RUNNER_CONFIG: cfg } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--only names checks not configured in ${cfg}: clobber (configured: purge)`);
    expect((await runner(['check'], { env: { RUNNER_CONFIG: cfg } })).code).toBe(0);
  });

  it('writes JSON and JUnit reports, to stdout or --output', async () => {
    const base = join(root, 'formats');
    makeDirs(base, [
      ['old', 30 * DAY, 1000],
      ['young', DAY, 1000],
    ]);
    const cfg = config('formats', `checks:\n  - purge: { dirs: [${base}] }\n`);
    const json = JSON.parse((await runner(['check', '-c', cfg, '--format', 'json'])).stdout);
    expect(json).toMatchObject({ version: 2, runner: VERSION, command: 'check', exitCode: 2, tally: { drift: 1 } });
    const result = json.hosts[0].results[0];
    expect(result).toMatchObject({
      check: 'purge',
      status: 'drift',
      plan: { delete: [{ path: join(base, 'old'), reason: 'age' }] },
    });
    expect(typeof result.durationMs).toBe('number');

    const out = join(root, 'report.xml');
    const r = await runner(['check', '-c', cfg, '--format', 'junit', '--output', out, '--fail-on-drift']);
    expect([r.code, r.stdout]).toEqual([2, '']);
    const xml = readFileSync(out, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="runner check" tests="1" failures="1"/,
    );
    expect(xml).toContain('<testcase classname=');
    expect(xml).toContain('<failure type="drift" message="delete 1 dir (');
  });

  it('lists checks, describes options, validates a config and prints its JSON Schema', async () => {
    const list = await runner(['checks']);
    expect(list.stdout).toMatch(/^clobber +fix +empties build dirs/m);
    expect(list.stdout).toMatch(/^purge +fix +deletes old build dirs/m);
    expect((await runner(['checks', 'purge'])).stdout).toContain('min_age: duration, default 1h; e.g. 30m');
    const cfg = config('valid', `checks:\n  - purge: { dirs: [/builds] }\n`);
    expect(await runner(['config', 'validate', '-c', cfg])).toMatchObject({
      code: 0,
      stdout: `${cfg}: ok (1 checks: purge)`,
    });
    const schema = JSON.parse((await runner(['config', 'schema'])).stdout);
    expect(schema.$schema).toContain('json-schema.org');
    expect(schema.properties.checks.type).toBe('array');
  });
});
