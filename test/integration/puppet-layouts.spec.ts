import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { puppet as puppetCheck } from '../../src/checks/puppet/index.js';
import { PuppetOptions } from '../../src/checks/puppet/schema.js';
import { RUNNER_BIN } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { MountNamespace } from '../helpers/mountns.js';
import { connectTo, sshClient, startSshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';

// Debian 12's puppet 7 with its own defaults: its state dir /var/cache/puppet is a tmpfs in a mount namespace
// per test, and `puppet` on runner's PATH is a wrapper that records every start before running the real one.
const T = sandbox('runner-puppet-layouts-');
const CALLS = join(T, 'calls');
const SUMMARY = '/var/cache/puppet/public/last_run_summary.yaml';
const LOCK = '/var/cache/puppet/state/agent_disabled.lock';
// the dirs puppet would create outside its state dir; the layout under test stays puppet's default
const ASIDE = ['codedir', 'logdir', 'rundir', 'ssldir'].flatMap((d) => [`--${d}`, join(T, d)]);

let ns: MountNamespace;
let site = '';
beforeAll(() => {
  mkdirSync(join(T, 'bin'));
  writeFileSync(join(T, 'bin', 'puppet'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${CALLS}'\nexec /usr/bin/puppet "$@"\n`);
  chmodSync(join(T, 'bin', 'puppet'), 0o755);
  site = join(T, 'site.pp');
  writeFileSync(site, `file { '${join(T, 'motd')}': ensure => file, content => "managed\\n" }\n`);
});
afterEach(() => ns?.close());

/** A fresh namespace whose /var/cache/puppet is empty, and no puppet started by runner yet. */
async function fresh(): Promise<MountNamespace> {
  rmSync(CALLS, { force: true });
  ns = await MountNamespace.start();
  await ns.mountTmpfs('/var/cache/puppet');
  return ns;
}

/** The real puppet, not the wrapper: these starts are the test's, not runner's. */
const puppet = (args: string[]) => ns.exec(['/usr/bin/puppet', ...args, ...ASIDE]);

/** The puppets runner started, as their arguments. */
const calls = () => readFileSync(CALLS, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean);

/** `runner check` in the namespace with one puppet check of these options; its one result. */
async function check(options: string): Promise<{ status: string; summary: string }> {
  const cfg = join(T, 'runner.yaml');
  writeFileSync(cfg, `checks:\n  - puppet: { ${options} }\n`);
  const env = { NO_COLOR: '1', PATH: `${join(T, 'bin')}:${process.env.PATH}` };
  const r = await ns.exec(['node', RUNNER_BIN, 'check', '-c', cfg, '-f', 'json'], { env, reject: false });
  return JSON.parse(String(r.stdout)).hosts[0].results[0];
}

// every test starts real puppet two or three times: minutes on a loaded 2-core machine
describe(
  'puppet: the summary and the lock, derived from the layout or asked of real puppet',
  { timeout: 240_000 },
  () => {
    it("summary: only, in Debian's layout: no puppet starts, and the lock `puppet agent --disable` writes is found", async () => {
      await fresh();
      await puppet(['apply', site]);
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject({ status: 'ok' });
      await puppet(['agent', '--disable', 'kernel upgrade, ask bob']);
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject({
        status: 'failed',
        summary: expect.stringContaining(`puppet agent is disabled (${LOCK}): kernel upgrade, ask bob`),
      });
      // nothing configured, as the README's example: the existing Debian summary tells the layout
      expect(await check('max_age: 4h')).toMatchObject({ status: 'failed' });
      expect(calls()).toEqual([]);
    });

    it('a puppet.conf that moves statedir: runner asks puppet once and finds the lock where puppet put it', async () => {
      await fresh();
      writeFileSync(join(T, 'puppet.conf'), '[main]\n  statedir = /var/cache/puppet/moved\n');
      await ns.bind(join(T, 'puppet.conf'), '/etc/puppet/puppet.conf');
      await puppet(['apply', site]);
      await puppet(['agent', '--disable', 'moved']);
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject({
        status: 'failed',
        summary: expect.stringContaining(
          'puppet agent is disabled (/var/cache/puppet/moved/agent_disabled.lock): moved',
        ),
      });
      expect(calls()).toEqual(['config print lastrunfile agent_disabled_lockfile']);
    });

    it('a symlink at the derived lock is refused, never followed; a puppet.conf runner may not read: puppet is asked', async () => {
      await fresh();
      await puppet(['apply', site]);
      await ns.exec(['ln', '-s', '/etc/hostname', LOCK]);
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject({
        status: 'failed',
        summary: expect.stringContaining(`${LOCK} is a symlink: runner never follows one here`),
      });
      expect(calls()).toEqual([]);

      await ns.exec(['rm', LOCK]);
      writeFileSync(join(T, 'linked.conf'), '# nothing moved\n');
      await ns.mountTmpfs('/etc/puppet');
      await ns.exec(['ln', '-s', join(T, 'linked.conf'), '/etc/puppet/puppet.conf']);
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject({ status: 'ok' });
      expect(calls()).toEqual(['config print lastrunfile agent_disabled_lockfile']);
    });

    it('a summary elsewhere: the lock of the one package installed; none installed, or the summary missing: puppet is asked', async () => {
      await fresh();
      const elsewhere = join(T, 'public', 'last_run_summary.yaml');
      await puppet(['apply', '--publicdir', join(T, 'public'), site]);
      await puppet(['agent', '--disable', 'elsewhere']);
      const disabled = { status: 'failed', summary: expect.stringContaining(`disabled (${LOCK}): elsewhere`) };
      expect(await check(`summary: ${elsewhere}`)).toMatchObject(disabled);
      expect(calls()).toEqual([]);
      // Debian's summary is not there: only puppet can say whether it is installed
      expect(await check(`summary: ${SUMMARY}`)).toMatchObject(disabled);
      expect(calls()).toEqual(['config print lastrunfile agent_disabled_lockfile']);
      // no package's vardir (an empty /var/cache): which puppet is this?
      await ns.mountTmpfs('/var/cache');
      expect(await check(`summary: ${elsewhere}`)).toMatchObject({ status: 'ok' });
      expect(calls()).toHaveLength(2);
      const none = join(T, 'no-puppet-here');
      expect(await check(`summary: ${SUMMARY}, command: ${none}`)).toMatchObject({
        status: 'skipped',
        summary: `puppet is not installed here (no ${none})`,
      });
    });
  },
);

describe('puppet over SSH: the same derivation, one round trip, no puppet started on the host', () => {
  it("summary: only at Debian's path and at a path of its own; the derived lock is read remotely", async () => {
    rmSync(CALLS, { force: true });
    writeFileSync(CALLS, '', { mode: 0o666 });
    chmodSync(CALLS, 0o666);
    chmodSync(T, 0o755);
    const client = sshClient(join(T, 'client'));
    const text = readFileSync(new URL('../../fixtures/puppet/summary-converged.yaml', import.meta.url), 'utf8');
    const fresh = text.replace(/last_run: \d+/g, `last_run: ${Math.floor(Date.now() / 1000)}`);
    writeFileSync(join(T, 'summary.yaml'), fresh, { mode: 0o644 });
    const sshd = await startSshd({
      dir: join(T, 'sshd'),
      address: '127.0.0.46',
      authorizedKeys: client.authorizedKeys,
      // sshd's own /var/cache/puppet, with a summary and the lock of a disabled agent
      inNamespace: `mount -t tmpfs tmpfs /var/cache/puppet && mkdir -p /var/cache/puppet/public /var/cache/puppet/state && cp ${join(T, 'summary.yaml')} ${SUMMARY} && chmod 644 ${SUMMARY} && chmod 1777 /var/cache/puppet/state`,
      setEnv: [`PATH=${join(T, 'bin')}:/usr/bin:/bin`],
    });
    const ssh = await connectTo(sshd, client, T);
    try {
      const probe = (raw: Record<string, unknown>) =>
        puppetCheck.probe(ssh, PuppetOptions.parse(raw), testContext('check'));
      for (const raw of [{ summary: SUMMARY }, { summary: join(T, 'summary.yaml') }, {}]) {
        const trips = ssh.stats.roundTrips;
        expect(await probe(raw)).toMatchObject({ state: 'ok' });
        expect(ssh.stats.roundTrips - trips).toBe(1);
      }
      expect(calls()).toEqual([]);
      // the disabled agent's lock, written where Debian's puppet writes it, seen over SSH
      await ssh.run('sh', ['-c', `printf '{"disabled_message":"over ssh"}' > ${LOCK}`]);
      await expect(probe({ summary: join(T, 'summary.yaml') })).rejects.toThrow(
        `puppet agent is disabled (${LOCK}): over ssh`,
      );
      expect(calls()).toEqual([]);
    } finally {
      await ssh.close();
      await sshd.stop();
    }
  });
});
