import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostReport } from '../../src/core/types.js';
import type { ReportDocument } from '../../src/report/document.js';
import { runner } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
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
import { knownHostsLine, startSshd, type Sshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';

// 50 hosts, 10 of them faulty (refused, tarpit, auth, unknown key, changed key, dropped mid-audit):
// every faulty host gets its own reason and the 40 healthy ones all finish with full results.
const root = sandbox('runner-audit-faults-');
const NET = '127.0.2';
let pool: Awaited<ReturnType<typeof startPool>>;
let strangers: Sshd[] = [];
let tarpits: Awaited<ReturnType<typeof startTarpit>>[] = [];
let proxy: Awaited<ReturnType<typeof startProxy>>;
let inventory: string;
let knownHosts: string;
const env = { HOME: join(root, 'home'), SSH_AUTH_SOCK: '' };

const FAULTS: Record<string, string> = {
  'refused-1': 'refused',
  'refused-2': 'refused',
  'tarpit-1': 'timeout',
  'tarpit-2': 'timeout',
  'auth-1': 'auth',
  'auth-2': 'auth',
  'unknown-1': 'hostkey-unknown',
  'unknown-2': 'hostkey-unknown',
  'changed-1': 'hostkey-changed',
  'dropped-1': 'dropped',
};

beforeAll(async () => {
  mkdirSync(env.HOME);
  pool = await startPool(root, 40, 1, NET);
  const hosts = pool.hosts as PoolHost[];
  const keys = pool.client.authorizedKeys;
  strangers = await Promise.all(
    [1, 2, 3].map((i) =>
      startSshd({ dir: join(root, `stranger-${i}`), address: `${NET}.${100 + i}`, authorizedKeys: keys }),
    ),
  );
  tarpits = await Promise.all([1, 2].map((i) => startTarpit(`${NET}.${110 + i}`)));
  // the first host's tree behind an sshd whose PATH stalls purge's probe, so the proxy can cut it mid-audit
  const stalled = join(root, 'stall-mark', 'stalled');
  const stall = await startSshd({
    dir: join(root, 'stall'),
    address: `${NET}.121`,
    authorizedKeys: keys,
    setEnv: [`PATH=${stallingBin(join(root, 'stall-bin'), stalled)}:/usr/bin:/bin`],
  });
  strangers.push(stall);
  proxy = await startProxy(`${NET}.120`, stall);
  const activeList = join(root, 'active.list');
  writeFileSync(activeList, `${join((hosts[0] as PoolHost).worker.base, 'current-job')}\n`);
  const dropConfig = join(root, 'drop.yaml');
  writeFileSync(dropConfig, poolConfig((hosts[0] as PoolHost).worker, true, activeList));
  const [u1, u2, changed] = strangers as [Sshd, Sshd, Sshd];
  knownHosts = join(root, 'known_hosts');
  writeFileSync(
    knownHosts,
    [
      ...hosts.map((h) => knownHostsLine(h.sshd)),
      knownHostsLine({ ...changed, hostKey: (hosts[1] as PoolHost).sshd.hostKey }),
      knownHostsLine({ ...stall, address: `${NET}.120`, port: proxy.port }),
      '',
    ].join('\n'),
  );
  const at = (s: { address: string; port: number }) => `ansible_host=${s.address} ansible_port=${s.port}`;
  const h1 = (hosts[0] as PoolHost).sshd;
  const lines = [
    ...hosts.map((h) => `${h.name} ${at(h.sshd)} runner_config=${h.config}`),
    `refused-1 ansible_host=${NET}.130 ansible_port=${await freePort(`${NET}.130`)}`,
    `refused-2 ansible_host=${NET}.131 ansible_port=${await freePort(`${NET}.131`)}`,
    ...tarpits.map((t, i) => `tarpit-${i + 1} ansible_host=${NET}.${111 + i} ansible_port=${t.port}`),
    `auth-1 ${at(h1)} ansible_user=rtest-nobody`,
    `auth-2 ${at(h1)} ansible_ssh_private_key_file=${strangerKey(join(root, 'stranger-key'))}`,
    `unknown-1 ${at(u1)}`,
    `unknown-2 ${at(u2)}`,
    `changed-1 ${at(changed)}`,
    `dropped-1 ansible_host=${NET}.120 ansible_port=${proxy.port} runner_config=${dropConfig}`,
  ];
  inventory = join(root, 'pool.ini');
  writeFileSync(
    inventory,
    `[pool]\n${lines.join('\n')}\n[pool:vars]\nansible_user=${pool.client.user}\nansible_ssh_private_key_file=${pool.client.key}\n`,
  );
  // the dropped host stalls in purge's probe; the proxy cuts it once it does
  void dropWhenStarted(stalled, proxy);
});

afterAll(async () => {
  for (const t of tarpits) t.close();
  proxy?.close();
  await Promise.all([pool?.stop(), ...strangers.map((s) => s.stop())]);
});

describe('faults: an audit of 50 hosts, 10 of them faulty', () => {
  it('gives each faulty host its reason and every healthy host its full results', async () => {
    const stats = join(root, 'stats.json');
    const r = await runner(
      [
        'audit',
        '-i',
        inventory,
        '--known-hosts',
        knownHosts,
        '--connect-timeout',
        '5',
        '--timeout',
        '60',
        '--forks',
        '50',
        '--format',
        'json',
        '--stats',
        stats,
      ],
      { env },
    );
    expect(r.code).toBe(2 | 8);
    const doc = JSON.parse(r.stdout) as ReportDocument;
    const byHost = new Map(doc.hosts.map((h) => [h.host, h] as const));
    for (const [name, reason] of Object.entries(FAULTS)) {
      expect(byHost.get(name)?.failure, name).toMatchObject({ stage: 'connect', reason });
    }
    const healthy = pool.hosts.map((h) => byHost.get(h.name) as HostReport);
    for (const h of healthy) {
      expect(h.failure, h.host).toBeUndefined();
      expect(
        h.results.map((x) => [x.check, x.status]),
        h.host,
      ).toEqual([
        ['clobber', 'drift'],
        ['purge', 'drift'],
      ]);
    }
    // the same 40 alone, for comparison (a figure, not an assertion: the machine is shared)
    const clean = JSON.parse(
      (
        await runner(
          [
            'audit',
            '-i',
            inventory,
            '--limit',
            'bld-*',
            '--known-hosts',
            knownHosts,
            '--forks',
            '50',
            '--format',
            'json',
          ],
          { env },
        )
      ).stdout,
    ) as ReportDocument;
    const slowest = (h: HostReport) => Math.max(...h.results.map((x) => x.durationMs));
    const median = (hs: HostReport[]) => hs.map(slowest).sort((a, b) => a - b)[Math.floor(hs.length / 2)];
    process.stdout.write(
      `audit under faults: 40 healthy hosts, check time median ${median(healthy)} ms with 10 faulty beside them, ${median(clean.hosts)} ms alone; whole run ${doc.durationMs} ms (faulty hosts end at their 5 s connect timeout) vs ${clean.durationMs} ms\n`,
    );
  }, 300_000);
});
