import { execFileSync } from 'node:child_process';
import { planOf } from '../../src/core/types.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReport, Result } from '../../src/core/types.js';
import type { ReportDocument } from '../../src/report/document.js';
import { renderHuman } from '../../src/report/human.js';
import { renderJunit } from '../../src/report/junit.js';
import { runner } from '../helpers/cli.js';
import {
  dropWhenStarted,
  poolConfig,
  stallingBin,
  startPool,
  startProxy,
  startTarpit,
  strangerKey,
  type PoolHost,
} from '../helpers/ssh-pool.js';
import { hashedKnownHostsLine, knownHostsLine, startSshd, type Sshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

const root = sandbox('runner-audit-');
const weird = `we ird;$(touch pwned)'"\`\nx`;
let pool: Awaited<ReturnType<typeof startPool>>;
let extra: Sshd[] = [];
let tarpit: Awaited<ReturnType<typeof startTarpit>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let inventory: string;
let knownHosts: string;
let env: Record<string, string>;
let stalled: string;
const hashes = new Map<string, string>();

beforeAll(async () => {
  pool = await startPool(root, 3, 31);
  const [h1, h2, h3] = pool.hosts as [PoolHost, PoolHost, PoolHost];
  // h3's config lives at a path full of shell metacharacters: it must be read literally
  const odd = join(root, 'bld-03', weird);
  writeFileSync(odd, readFileSync(h3.config));
  const unknown = await startSshd({
    dir: join(root, 'unknown'),
    address: '127.0.0.41',
    authorizedKeys: pool.client.authorizedKeys,
  });
  // bld-02's tree behind an sshd whose PATH stalls purge's probe mid-audit (a FIFO would be refused at once, as it must)
  stalled = join(root, 'stall-mark', 'stalled');
  const stall = await startSshd({
    dir: join(root, 'stall'),
    address: '127.0.0.45',
    authorizedKeys: pool.client.authorizedKeys,
    setEnv: [`PATH=${stallingBin(join(root, 'stall-bin'), stalled)}:/usr/bin:/bin`],
  });
  const changed = await startSshd({
    dir: join(root, 'changed'),
    address: '127.0.0.42',
    authorizedKeys: pool.client.authorizedKeys,
  });
  // recorded as an RSA key, while this sshd has only an ed25519 one
  const otherType = await startSshd({
    dir: join(root, 'other-type'),
    address: '127.0.0.46',
    authorizedKeys: pool.client.authorizedKeys,
  });
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'old', '-f', join(root, 'old-rsa')]);
  const oldRsa = readFileSync(join(root, 'old-rsa.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  extra = [unknown, changed, stall, otherType];
  tarpit = await startTarpit('127.0.0.43');
  proxy = await startProxy('127.0.0.44', stall);
  const activeList = join(root, 'active.list');
  writeFileSync(activeList, `${join(h2.worker.base, 'current-job')}\n`);
  const dropConfig = join(root, 'drop.yaml');
  writeFileSync(dropConfig, poolConfig(h2.worker, true, activeList));
  // bld-01's tree again, under a config whose daemon is disabled: the audit reports the lock
  const lockedConfig = join(root, 'locked.yaml');
  writeFileSync(
    lockedConfig,
    `${readFileSync(h1.config, 'utf8')}lifecycle:\n  worker: { basedir: ${join(root, 'wk')} }\n  lock: ${join(root, 'disabled.json')}\n`,
  );
  writeFileSync(
    join(root, 'disabled.json'),
    JSON.stringify({ reason: 'disk swap', by: 'ops@bld-01', since: new Date().toISOString() }),
  );
  const badConfig = join(root, 'bad.yaml');
  writeFileSync(badConfig, 'checks:\n  - purge: { dirs: [/builds], free: 20 gigs }\n');
  knownHosts = join(root, 'known_hosts');
  writeFileSync(
    knownHosts,
    [
      knownHostsLine(h1.sshd),
      hashedKnownHostsLine(h2.sshd),
      knownHostsLine(h3.sshd),
      knownHostsLine({ ...changed, hostKey: h1.sshd.hostKey }),
      knownHostsLine({ ...stall, port: proxy.port, address: '127.0.0.44' }),
      knownHostsLine(stall),
      knownHostsLine({ ...otherType, hostKey: oldRsa }),
      '',
    ].join('\n'),
  );
  const at = (s: { address: string; port: number }) => ({ ansible_host: s.address, ansible_port: s.port });
  const hosts = {
    'bld-01': { ...at(h1.sshd), runner_config: h1.config },
    'bld-02': { ...at(h2.sshd), runner_config: h2.config },
    'bld-03': { ...at(h3.sshd), runner_config: odd },
    'bad-config': { ...at(h1.sshd), runner_config: badConfig },
    locked: { ...at(h1.sshd), runner_config: lockedConfig },
    'no-config': { ...at(h1.sshd), runner_config: join(root, 'missing.yaml') },
    refused: { ansible_host: '127.0.0.45', ansible_port: 9 },
    tarpit: { ansible_host: '127.0.0.43', ansible_port: tarpit.port },
    'unknown-key': at(unknown),
    'changed-key': at(changed),
    'other-type': at(otherType),
    'wrong-user': { ...at(h1.sshd), ansible_user: 'rtest-nobody' },
    'wrong-key': { ...at(h1.sshd), ansible_ssh_private_key_file: strangerKey(join(root, 'stranger')) },
    dropped: { ansible_host: '127.0.0.44', ansible_port: proxy.port, runner_config: dropConfig },
    // the same blocking config straight to the sshd: nothing drops it, only its deadline ends it
    slow: { ...at(stall), runner_config: dropConfig },
  };
  inventory = join(root, 'pool.yaml');
  writeFileSync(
    inventory,
    JSON.stringify({
      all: {
        vars: { ansible_user: pool.client.user, ansible_ssh_private_key_file: pool.client.key },
        children: { pool: { hosts } },
      },
    }),
  );
  const home = join(root, 'home');
  mkdirSync(home);
  env = { HOME: home, SSH_AUTH_SOCK: '' };
  for (const h of pool.hosts) hashes.set(h.name, hashTree(h.worker.root));
});

afterAll(async () => {
  tarpit?.close();
  proxy?.close();
  await Promise.all([pool?.stop(), ...extra.map((s) => s.stop())]);
});

function comparable(results: readonly Result[]) {
  // free space moves while other suites run: compare what the plans do, not the free bytes they quote
  return results.map((r) => ({
    check: r.check,
    status: r.status,
    plan: r.check === 'purge' ? { delete: (planOf(r) as { delete: unknown }).delete } : planOf(r),
    summary: r.summary.replace(/\d+(\.\d+)? [kMGT]?B/g, 'N'),
    warnings: r.warnings,
  }));
}

describe('runner audit over a real sshd pool', () => {
  let doc: ReportDocument;
  let code: number | undefined;
  const byHost = (name: string) => doc.hosts.find((h) => h.host === name) as HostReport;

  beforeAll(async () => {
    const [r] = await Promise.all([
      runner(
        [
          'audit',
          '-i',
          inventory,
          '--limit',
          '!slow',
          '--known-hosts',
          knownHosts,
          '--connect-timeout',
          '4',
          '--format',
          'json',
          '--stats',
          join(root, 'stats.json'),
        ],
        { env },
      ),
      dropWhenStarted(stalled, proxy),
    ]);
    code = r.code;
    expect(r.stderr).toBe('');
    doc = JSON.parse(r.stdout) as ReportDocument;
  });

  it('exits with drift, failure and unreachable bits', () => {
    expect(code).toBe(2 | 4 | 8);
  });

  it.each([
    ['refused', 'refused'],
    ['tarpit', 'timeout'],
    ['unknown-key', 'hostkey-unknown'],
    ['changed-key', 'hostkey-changed'],
    ['other-type', 'hostkey-changed'],
    ['wrong-user', 'auth'],
    ['wrong-key', 'auth'],
    ['dropped', 'dropped'],
  ])('%s is unreachable: %s', (host, reason) => {
    expect(byHost(host).failure).toMatchObject({ stage: 'connect', reason, detail: expect.any(String) });
  });

  it('a host that never connected has its failure and no results; no result is a pseudo-check', () => {
    expect(byHost('tarpit').results).toEqual([]);
    const checks = doc.hosts.flatMap((h) => h.results.map((r) => r.check));
    expect(checks).not.toContain('connect');
    expect(checks).not.toContain('config');
    // each unreachable host counts once: seven that never connected, and the running check of the one dropped
    expect(doc.tally.unreachable).toBe(8);
  });

  it('a host key refusal carries both fingerprints and the known_hosts line that disagrees', () => {
    const fp = (pub: string) => execFileSync('ssh-keygen', ['-l', '-f', pub], { encoding: 'utf8' }).split(' ')[1];
    expect(byHost('changed-key').failure?.hostKey).toEqual({
      type: 'ssh-ed25519',
      fingerprint: fp(join(root, 'changed', 'hostkey.pub')),
      recorded: [
        {
          file: knownHosts,
          line: 4,
          type: 'ssh-ed25519',
          fingerprint: fp(join(root, 'bld-01', 'sshd', 'hostkey.pub')),
        },
      ],
    });
    expect(byHost('other-type').failure?.hostKey).toMatchObject({
      type: 'ssh-ed25519',
      recorded: [{ file: knownHosts, line: 7, type: 'ssh-rsa', fingerprint: fp(join(root, 'old-rsa.pub')) }],
    });
    expect(byHost('unknown-key').failure?.hostKey).toMatchObject({ type: 'ssh-ed25519', recorded: [] });
  });

  it('a host lost mid-audit keeps the order: the running check unreachable, the rest skipped', () => {
    expect(byHost('dropped').results.map((r) => [r.check, r.status])).toEqual([
      ['purge', 'unreachable'],
      ['clobber', 'skipped'],
    ]);
  });

  it('a bad or missing per-host config is a clear per-host failure naming host, file and line', () => {
    expect(byHost('bad-config')).toMatchObject({ results: [], failure: { stage: 'config' } });
    expect(byHost('bad-config').failure?.reason).toBeUndefined();
    expect(byHost('bad-config').failure?.detail).toContain(`bad-config:${join(root, 'bad.yaml')}:2:`);
    expect(byHost('no-config').failure?.detail).toContain(`no-config:${join(root, 'missing.yaml')} does not exist`);
  });

  it('each healthy host gets the same results as runner check run locally on its tree', async () => {
    for (const h of pool.hosts) {
      const local = await runner(['check', '--config', h.config, '--format', 'json']);
      const expected = (JSON.parse(local.stdout) as ReportDocument).hosts[0]?.results ?? [];
      expect(byHost(h.name).failure).toBeUndefined();
      expect(comparable(byHost(h.name).results)).toEqual(comparable(expected));
      expect(byHost(h.name).results.map((r) => r.status)).toEqual(['drift', 'drift']);
    }
  });

  it("reports a host's disable lock, read on the host, and only there", () => {
    expect(byHost('locked').lock).toMatchObject({ state: 'active', lock: { reason: 'disk swap', by: 'ops@bld-01' } });
    expect(byHost('locked').results.map((r) => r.status)).toEqual(byHost('bld-01').results.map((r) => r.status));
    expect(byHost('bld-01').lock).toBeUndefined();
  });

  it('changes nothing on any host', () => {
    for (const h of pool.hosts) expect(hashTree(h.worker.root), h.name).toBe(hashes.get(h.name));
  });

  it('reports connect time and round trips per host', () => {
    const stats = JSON.parse(readFileSync(join(root, 'stats.json'), 'utf8')) as Record<
      string,
      { connectMs: number; execs: number; sftpOps: number; shellOps: number }
    >;
    // a read-only audit needs no session beyond its long-lived shells (at most 2) and no SFTP
    expect(stats['bld-01']?.execs).toBeGreaterThan(0);
    expect(stats['bld-01']?.execs).toBeLessThanOrEqual(2);
    expect(stats['bld-01']?.shellOps).toBeGreaterThan(3);
    expect(stats['bld-01']?.sftpOps).toBe(0);
    expect(stats.refused).toBeUndefined();
  });

  it('summarises: host totals, then only the hosts with problems, worst first, every reason whole', () => {
    const text = renderHuman(doc, { colour: false, plans: false });
    expect(text).toMatch(/^audit: 14 hosts: 0 ok, 4 drifted, 2 failed, 8 unreachable \(exit 14\)$/m);
    expect(text).toMatch(/^unreachable tarpit: unreachable at connect \(timeout\)$/m);
    expect(text).toMatch(/^failed +bad-config: failed at config$/m);
    expect(text).toContain(`invalid config bad-config:${join(root, 'bad.yaml')}:\n`);
    expect(text.indexOf('unreachable tarpit')).toBeLessThan(text.indexOf('failed      bad-config'));
    expect(text).not.toContain('RECAP');
  });

  it('--verbose renders a host x check table and a recap line per host; junit fails drift only when asked', () => {
    const text = renderHuman(doc, { colour: false, plans: false, verbose: true });
    expect(text).toMatch(/^HOST +clobber +purge$/m);
    expect(text).toMatch(/^bld-01 +drift +drift$/m);
    expect(text).toMatch(/^tarpit +unreachable: timeout: /m);
    expect(text).toMatch(/^unreachable +connect +tarpit unreachable: timeout: /m);
    expect(text).toMatch(/^bad-config +failed: invalid config bad-config:/m);
    expect(text).toMatch(/^bld-01 +: ok=0 {2}drift=2 {2}failed=0 {2}unreachable=0 {2}skipped=0$/m);
    expect(text).toMatch(/^dropped +: ok=0 {2}drift=0 {2}failed=0 {2}unreachable=1 {2}skipped=1$/m);
    expect(text).toMatch(/^tarpit +: ok=0 {2}drift=0 {2}failed=0 {2}unreachable=1 {2}skipped=0$/m);
    expect(renderJunit(doc, { failOnDrift: false })).toMatch(
      /<testcase classname="tarpit" name="connect" time="0.000"><error type="unreachable" message="tarpit unreachable: timeout: /,
    );
    expect(renderJunit(doc, { failOnDrift: false })).not.toContain('type="drift"');
    expect(renderJunit(doc, { failOnDrift: true })).toContain('<failure type="drift"');
  });

  it('--format prometheus -o FILE: per-host series labelled host, an exposition file promtool accepts', async () => {
    const out = join(root, 'audit.prom');
    const args = ['audit', '-i', inventory, '--limit', 'bld-01:bld-03:refused', '--known-hosts', knownHosts];
    const r = await runner([...args, '--format', 'prometheus', '-o', out], { env });
    expect(r.code).toBe(2 | 8);
    const text = readFileSync(out, 'utf8');
    expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })).toBe('');
    expect(text).toContain('runner_last_run_exit_code{mode="audit",host="bld-01"} 2\n');
    expect(text).toContain('runner_last_run_exit_code{mode="audit",host="refused"} 8\n');
    expect(text).toContain('runner_check_status{mode="audit",host="bld-03",check="purge",status="drift"} 1\n');
    expect(text).toContain('runner_check_status{mode="audit",host="refused",check="connect",status="unreachable"} 1\n');
    expect(text).toMatch(/^runner_purge_free_bytes\{mode="audit",host="bld-01",dir="[^"]+"\} \d+$/m);
  });
});

describe('runner audit deadlines', () => {
  it('a host that reaches --timeout reports what finished and "deadline" for the rest, and the run ends', async () => {
    const r = await runner(
      [
        'audit',
        '-i',
        inventory,
        '--limit',
        'slow:bld-01',
        '--known-hosts',
        knownHosts,
        '--timeout',
        '3',
        '--format',
        'json',
      ],
      { env },
    );
    const doc = JSON.parse(r.stdout) as ReportDocument;
    expect(r.code).toBe(2 | 4);
    const slow = doc.hosts.find((h) => h.host === 'slow') as HostReport;
    // purge stalls in its probe; clobber finishes (drift) or, if its requests queued behind the stall, is cut too
    expect(slow.results.map((x) => x.check)).toEqual(['purge', 'clobber']);
    expect(slow.results[0]).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('deadline: slow did not finish within 3s'),
    });
    const clobber = slow.results[1] as Result;
    expect(
      clobber.status === 'drift' || (clobber.status === 'failed' && clobber.summary.includes('deadline: slow')),
    ).toBe(true);
    expect(doc.hosts.find((h) => h.host === 'bld-01')?.results.map((x) => x.status)).toEqual(['drift', 'drift']);
  });
});

describe('runner audit, refusing bad input before connecting', () => {
  it('a malformed inventory names file and line, and nothing connects', async () => {
    const bad = join(root, 'bad.ini');
    writeFileSync(
      bad,
      `[a]\n${pool.hosts[0]?.sshd.address} ansible_port=${pool.hosts[0]?.sshd.port}\n[b:children]\nnope\n`,
    );
    const before = pool.hosts[0]?.sshd.log().match(/Connection from/g)?.length ?? 0;
    const r = await runner(['audit', '-i', bad, '--known-hosts', knownHosts], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:4: Section [b:children] includes undefined group: nope`);
    expect(pool.hosts[0]?.sshd.log().match(/Connection from/g)?.length ?? 0).toBe(before);
  });

  it('runner inventory --list --limit prints the selected hosts in ansible-inventory shape', async () => {
    const r = await runner(['inventory', '-i', inventory, '--list', '--limit', 'bld-*:!bld-02'], { env });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as {
      pool: { hosts: string[] };
      _meta: { hostvars: Record<string, { runner_config: string }> };
    };
    expect(list.pool.hosts).toEqual(['bld-01', 'bld-03']);
    expect(list._meta.hostvars['bld-03']?.runner_config).toBe(join(root, 'bld-03', weird));
  });
});
