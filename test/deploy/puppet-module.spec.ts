import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VERSION } from '../../src/core/version.js';
import { RUNNER_BIN } from '../helpers/cli.js';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { cachedCatalog, puppetApply, runnerClass } from '../helpers/puppet.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

// Real `puppet apply` of deploy/puppet/runner with every path under a temp prefix; puppet's own dirs too.
// No systemd runs in the test container: services are left alone (manage_service => false) and the unit
// is proven by systemd-analyze verify and by its content; the service resources by the compiled catalog.
const T = sandbox('runner-puppet-module-');
const root = join(T, 'root');
const cfg = join(root, 'etc/runner/runner.yaml');
const state = join(root, 'var/lib/runner');
const units = join(root, 'etc/systemd/system');
const bin = join(root, 'usr/bin/runner');
const builds = join(root, 'builds/worker');
const feed = join(root, 'srv/lastclobber.json');
const unit = join(units, 'runner.service');

// a string that breaks naive YAML quoting; it must come back from the file exactly
const NASTY = 'quote" back\\slash\nnewline\ttab: colon # hash {}[]&*!|>\'%@` é';
const config = {
  checks: [{ clobber: { dir: builds, feed, host: 'w1' } }, { purge: { dirs: [builds], max_age: '14d' } }],
  lifecycle: { preflight: 'all', worker: { basedir: join(root, 'worker'), env: { NOTE: NASTY } }, iterations: 3 },
};
const params = (extra: Record<string, unknown> = {}) => ({
  config,
  config_file: cfg,
  state_dir: state,
  unit_dir: units,
  binary: bin,
  install: 'none',
  manage_service: false,
  ...extra,
});

async function check(...args: string[]) {
  const r = await execa(bin, ['check', '--fail-on-drift', '-c', cfg, ...args], {
    reject: false,
    env: { NO_COLOR: '1' },
  });
  return { code: r.exitCode, out: `${r.stdout}${r.stderr}` };
}

beforeAll(() => {
  if (!existsSync(RUNNER_BIN)) throw new Error(`${RUNNER_BIN} is missing: run npm run build first`);
  for (const d of ['etc', 'var/lib', 'etc/systemd/system', 'usr/bin', 'builds/worker', 'srv', 'worker'])
    mkdirSync(join(root, d), { recursive: true });
  symlinkSync(RUNNER_BIN, bin); // install => 'none': the binary is already there, as an operator's own install
  writeFileSync(feed, JSON.stringify({ result: [] }));
});

describe('puppet module deploy/puppet/runner under real puppet apply', () => {
  it('installs config, state dir and unit; runner check gates on the result; a second apply changes nothing', async () => {
    const first = await puppetApply(join(T, 'puppet'), runnerClass(params()));
    expect(first.output).not.toMatch(/^Error: (?!Facter)/m);
    expect(first.code).toBe(2);

    const text = readFileSync(cfg, 'utf8');
    expect(text.split('\n')[0]).toBe('# managed by puppet (class runner): change the hash, not this file');
    expect(parse(text)).toEqual({ ...config, lifecycle: { ...config.lifecycle, state_dir: state } });
    expect(statSync(cfg).mode & 0o777).toBe(0o644);
    expect(statSync(state).mode & 0o777).toBe(0o700);

    const service = readFileSync(unit, 'utf8');
    expect(service).toContain(`\nExecStart=${bin} daemon --config ${cfg}\n`);
    expect(service).toContain('\nAfter=network-online.target puppet.service\n');
    expect(service).toContain('\nConflicts=buildbot-worker.service\n');
    expect(service).not.toContain('StateDirectory'); // outside /var/lib systemd cannot make it: puppet did
    const verify = await execa('systemd-analyze', ['verify', unit], { reject: false });
    expect(verify.stderr).toBe('');
    expect(verify.exitCode).toBe(0);

    // the gate: exit 0 on a clean machine, nonzero (2) with a junit failure once something drifted
    const junit = join(T, 'check.xml');
    expect(await check('--format', 'junit', '-o', junit)).toMatchObject({ code: 0 });
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites [^>]*tests="2" failures="0"/);
    const before = hashTree(root);
    const second = await puppetApply(join(T, 'puppet'), runnerClass(params()));
    expect(second.output).not.toMatch(/^Notice: \/Stage/m);
    expect(second.code).toBe(0);
    expect(hashTree(root)).toBe(before);

    makeDirs(builds, [['old-build', 30 * DAY, 10]]);
    expect(await check('--format', 'junit', '-o', junit)).toMatchObject({ code: 2 });
    expect(readFileSync(junit, 'utf8')).toMatch(/<testsuites [^>]*tests="2" failures="1"/);
  }, 180_000);

  it('a hash runner rejects: the apply fails with runner config validate in the output, runner.yaml stays byte for byte', async () => {
    const old = readFileSync(cfg);
    const bad = { ...config, checks: [config.checks[0], { purge: { dirs: [builds], free: '20 gigs' } }] };
    const r = await puppetApply(join(T, 'puppet'), runnerClass(params({ config: bad })));
    expect([4, 6]).toContain(r.code); // failures (and maybe changes): --detailed-exitcodes
    expect(r.output).toContain(`${bin} config validate --config`);
    expect(r.output).toContain('checks[1].purge.free: expected a size like 20GB, got "20 gigs"');
    expect(readFileSync(cfg)).toEqual(old);
    expect(readdirSync(join(root, 'etc/runner'))).toEqual(['runner.yaml']); // no temp file left behind
  }, 120_000);

  it('a relative path, a control character, two state dirs: compile errors naming the parameter or key; nothing written', async () => {
    const fresh = join(T, 'fresh');
    mkdirSync(join(fresh, 'etc'), { recursive: true });
    const relative = await puppetApply(join(T, 'puppet'), runnerClass(params({ config_file: 'etc/runner.yaml' })));
    expect(relative.code).toBe(1);
    expect(relative.output).toMatch(/parameter 'config_file' expects a (match for )?Runner::Path/);

    const env = { NOTE: 'bell\u0007' };
    const ctl = { ...config, lifecycle: { ...config.lifecycle, worker: { basedir: join(fresh, 'w'), env } } };
    const control = await puppetApply(
      join(T, 'puppet'),
      runnerClass(params({ config: ctl, state_dir: join(fresh, 's') })),
    );
    expect(control.code).toBe(1);
    expect(control.output).toContain('runner: config.lifecycle.worker.env.NOTE: a string with a control character');

    const other = { ...config, lifecycle: { ...config.lifecycle, state_dir: join(fresh, 'elsewhere') } };
    const twice = await puppetApply(
      join(T, 'puppet'),
      runnerClass(params({ config: other, state_dir: join(fresh, 's') })),
    );
    expect(twice.code).toBe(1);
    expect(twice.output).toContain(`config lifecycle.state_dir (${join(fresh, 'elsewhere')}) is not state_dir`);
    expect(readdirSync(fresh)).toEqual(['etc']);
  }, 120_000);

  it('with the default paths the catalog installs the .deb by dpkg, stops the worker before runner, renders deploy/runner.service', async () => {
    const deb = '/srv/pool/ci-worker-runner_0.1.0_amd64.deb';
    const manifest = runnerClass({ config: { checks: [] }, package_source: deb });
    // --tags that match nothing: the catalog is compiled and cached, no resource is evaluated (nor probed)
    const dir = join(T, 'compile');
    const r = await puppetApply(dir, manifest, ['--noop', '--tags', 'no_such_tag', '--catalog_cache_terminus', 'json']);
    expect(r.output).not.toMatch(/^Notice: \/Stage/m);
    expect(r.code).toBe(0);
    const byRef = new Map(cachedCatalog(dir).resources.map((x) => [`${x.type}[${x.title}]`, x.parameters]));
    expect(byRef.get('Package[ci-worker-runner]')).toEqual({ ensure: 'installed', source: deb, provider: 'dpkg' });
    expect(byRef.get('Service[buildbot-worker]')).toEqual({
      ensure: 'stopped',
      enable: false,
      before: 'Service[runner]',
    });
    expect(byRef.get('Service[runner]')).toEqual({ ensure: 'running', enable: true });
    expect(byRef.get('File[/etc/runner/runner.yaml]')).toMatchObject({
      validate_cmd: '/usr/bin/runner config validate --config %',
    });
    expect(byRef.get('File[/var/lib/runner]')).toMatchObject({ ensure: 'directory', mode: '0700' });
    const metadata = JSON.parse(
      readFileSync(new URL('../../deploy/puppet/runner/metadata.json', import.meta.url), 'utf8'),
    );
    expect(metadata.version).toBe(VERSION);
    const shipped = readFileSync(new URL('../../deploy/runner.service', import.meta.url), 'utf8');
    expect(byRef.get('File[/etc/systemd/system/runner.service]')).toMatchObject({ content: shipped });
  }, 120_000);
});
