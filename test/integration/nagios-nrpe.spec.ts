import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNNER_BIN } from '../helpers/cli.js';
import { DAY, makeDirs } from '../helpers/dirs.js';
import { checkNrpe, requireBinary, startNrpe, type Nrpe } from '../helpers/nrpe.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/nagios/', import.meta.url));
const INSTALLED = '/usr/bin/sudo -n /usr/bin/runner';
const CONFIG = '/etc/runner/runner.yaml';
// nrpe drops to this user, as it drops to nagios on a worker
const USER = 'rtest-nagios';

const root = sandbox('runner-nagios-');
// nrpe runs the command as its unprivileged user, which must reach the configs and the build dirs
chmodSync(root, 0o755);

function config(name: string, text: string): string {
  const file = join(root, name);
  writeFileSync(file, text, { mode: 0o644 });
  return file;
}

/** deploy/nagios/runner.cfg split into its settings and its one command line. */
function deployed(): { settings: string[]; command: string } {
  const lines = readFileSync(join(DEPLOY, 'runner.cfg'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
  const command = lines.find((l) => l.startsWith('command[check_runner]='));
  if (command === undefined) throw new Error('deploy/nagios/runner.cfg defines no command[check_runner]');
  return { settings: lines.filter((l) => l !== command), command: command.slice('command[check_runner]='.length) };
}

/** The deployed command line, run from this checkout (no sudo: nrpe's user runs it) with another config. */
function commandFor(file: string): string {
  const { command } = deployed();
  expect(command).toContain(INSTALLED);
  expect(command).toContain(CONFIG);
  return command.replace(INSTALLED, `${process.execPath} ${RUNNER_BIN}`).replace(CONFIG, `'${file}'`);
}

let nrpe: Nrpe;

beforeAll(async () => {
  const ok = join(root, 'ok');
  makeDirs(ok, [['fresh', 1000, 100]]);
  const old = join(root, 'old');
  makeDirs(old, [['stale', 40 * DAY, 100]]);
  const configs = {
    ok: config('ok.yaml', `checks:\n  - purge: { dirs: [${ok}] }\n`),
    drift: config('drift.yaml', `checks:\n  - purge: { dirs: [${old}] }\n`),
    failed: config(
      'failed.yaml',
      `checks:\n  - clobber: { dir: ${ok}, feed: ${join(root, 'no-feed.json')} }\n  - purge: { dirs: [${old}] }\n`,
    ),
    // a path with the plugin separator in it: the answer must stay one line of text without a second `|`
    broken: config('bro|ken.yaml', `checks:\n  - purge: { dirs: [${ok}], max_agee: 3d }\n`),
  };
  const commands = Object.fromEntries(
    Object.entries(configs).map(([k, file]) => [`check_runner_${k}`, commandFor(file)]),
  );
  ensureUser(USER);
  nrpe = await startNrpe({ dir: root, user: USER, commands, extra: deployed().settings });
}, 60_000);

afterAll(async () => {
  await nrpe?.stop();
});

describe('runner check --format nagios through the real check_nrpe and nrpe', () => {
  it('all ok: exit 0 and RUNNER OK with perfdata', async () => {
    const r = await checkNrpe(nrpe, 'check_runner_ok');
    expect(r.code, `${r.stdout}\n${nrpe.log()}`).toBe(0);
    expect(r.stdout).toMatch(/^RUNNER OK - 1 check ok \| 'purge_status'=0;1;2;0;3 'purge_seconds'=\d+\.\d{3}s;;;0$/);
  });

  it('drift: exit 1 and WARNING naming the drifted check, its plan as long text', async () => {
    const r = await checkNrpe(nrpe, 'check_runner_drift');
    expect(r.code, `${r.stdout}\n${nrpe.log()}`).toBe(1);
    const [first, ...long] = r.stdout.split('\n');
    expect(first).toMatch(/^RUNNER WARNING - drift: purge \| 'purge_status'=1;1;2;0;3 /);
    expect(long.join('\n')).toMatch(/^purge: drift: delete 1 dir /m);
  });

  it('a failed check: exit 2 and CRITICAL naming it before the drift', async () => {
    const r = await checkNrpe(nrpe, 'check_runner_failed');
    expect(r.code, `${r.stdout}\n${nrpe.log()}`).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^RUNNER CRITICAL - failed: clobber; drift: purge \| /);
    expect(r.stdout).toContain(`clobber feed ${join(root, 'no-feed.json')} does not exist`);
  });

  it('a broken config: exit 3 and UNKNOWN naming the file, its separator escaped', async () => {
    const r = await checkNrpe(nrpe, 'check_runner_broken');
    expect(r.code, `${r.stdout}\n${nrpe.log()}`).toBe(3);
    const file = join(root, 'bro\\x7cken.yaml');
    expect(r.stdout.split('\n')[0]).toBe(`RUNNER UNKNOWN - invalid config ${file}:`);
    expect(r.stdout).toContain(`${file}:2:`);
    expect(r.stdout).toContain('max_agee');
    expect(r.stdout).not.toContain('|');
  });
});

describe('deploy/nagios', () => {
  it('the sudoers rule parses (visudo -c) and allows exactly the deployed command', () => {
    requireBinary('/usr/sbin/visudo', 'sudo');
    const copy = join(root, 'runner-nagios');
    copyFileSync(join(DEPLOY, 'sudoers'), copy);
    chmodSync(copy, 0o440);
    expect(execFileSync('/usr/sbin/visudo', ['-cf', copy]).toString()).toContain('parsed OK');
    const rule = readFileSync(copy, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nagios '));
    expect(rule).toBe(`nagios ALL=(root) NOPASSWD: ${deployed().command.replace('/usr/bin/sudo -n ', '')}`);
  });
});
