import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorker } from '../../fixtures/worker.js';
import type { HostReport } from '../../src/core/types.js';
import type { ReportDocument } from '../../src/report/document.js';
import { runner } from '../helpers/cli.js';
import { httpServer } from '../helpers/http.js';
import { startPool, type PoolHost } from '../helpers/ssh-pool.js';
import { knownHostsLine } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

const root = sandbox('runner-hostile-audit-');
// more than the 64 MiB cap of one request's stdout; main read it in time quadratic in its size
const FLOOD = "head -c 100000000 /dev/zero | tr '\\0' a";
let pool: Awaited<ReturnType<typeof startPool>>;

beforeAll(async () => {
  pool = await startPool(root, 4, 71);
});

afterAll(async () => {
  await pool?.stop();
});

describe('faults: a hostile host in an audit', () => {
  it('one host printing 100 MB in a probe fails that check alone: every other host finishes with full results', async () => {
    const wanted = join(root, 'wanted-id');
    writeFileSync(wanted, 'img-1\n');
    const config = join(root, 'audit.yaml');
    // one config for all; each host's purge dirs and the flooder's image command are inventory overrides
    writeFileSync(
      config,
      [
        'checks:',
        `  - image: { current: { command: [echo, img-1] }, wanted: { file: ${wanted} } }`,
        `  - purge: { dirs: [${join(root, 'none')}], max_age: 90m, keep: [info, "rel-*:10d"], min_age: 1h }`,
        '',
      ].join('\n'),
    );
    const [flooder, ...healthy] = pool.hosts as [PoolHost, ...PoolHost[]];
    const hosts = Object.fromEntries(
      pool.hosts.map((h) => [
        h.name,
        {
          ansible_host: h.sshd.address,
          ansible_port: h.sshd.port,
          runner_checks: {
            purge: { dirs: [h.worker.base] },
            ...(h === flooder ? { image: { current: { command: ['sh', '-c', FLOOD] } } } : {}),
          },
        },
      ]),
    );
    const inventory = join(root, 'pool.yaml');
    writeFileSync(
      inventory,
      JSON.stringify({
        all: { vars: { ansible_user: pool.client.user, ansible_ssh_private_key_file: pool.client.key }, hosts },
      }),
    );
    const knownHosts = join(root, 'known_hosts');
    writeFileSync(knownHosts, `${pool.hosts.map((h) => knownHostsLine(h.sshd)).join('\n')}\n`);
    mkdirSync(join(root, 'home'), { recursive: true });
    const before = pool.hosts.map((h) => hashTree(h.worker.root));

    // two at a time: the healthy hosts after the first connect while the flood is under way
    const r = await runner(
      [
        'audit',
        '-i',
        inventory,
        '--config',
        config,
        '--known-hosts',
        knownHosts,
        '--forks',
        '2',
        '--connect-timeout',
        '4',
        '--timeout',
        '60',
        '--format',
        'json',
      ],
      {
        env: { HOME: join(root, 'home'), SSH_AUTH_SOCK: '' },
      },
    );
    const doc = JSON.parse(r.stdout) as ReportDocument;
    const byHost = (name: string) => doc.hosts.find((h) => h.host === name) as HostReport;
    for (const h of healthy) {
      expect(byHost(h.name).failure, h.name).toBeUndefined();
      expect(
        byHost(h.name).results.map((x) => [x.check, x.status]),
        h.name,
      ).toEqual([
        ['image', 'ok'],
        ['purge', 'drift'],
      ]);
    }
    const flood = byHost(flooder.name);
    expect(flood.failure).toBeUndefined();
    expect(flood.results.map((x) => [x.check, x.status])).toEqual([
      ['image', 'failed'],
      ['purge', 'drift'],
    ]);
    expect(flood.results[0]?.summary).toContain('stdout: output larger than 67108864 bytes: dropped');
    expect(r.code).toBe(2 | 4);
    expect(pool.hosts.map((h) => hashTree(h.worker.root))).toEqual(before);
  });
});

describe('faults: a hostile clobber feed', () => {
  const w = makeWorker(join(root, 'local'), { dirs: 14, host: 'bld-local', maxDirBytes: 100_000 });
  // the real feed, asking for clobbers, then 40 MB of spaces: still valid JSON, and past the 32 MiB cap
  const feed = readFileSync(w.feed);
  let url: string;

  beforeAll(async () => {
    url = await httpServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(2 ** 40) });
        res.end(feed);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(feed);
      const pad = Buffer.alloc(1 << 20, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 40 && !res.destroyed) {
          sent += 1;
          if (!res.write(pad)) return res.once('drain', more);
        }
        res.end();
      };
      more();
    });
  });

  it.each([
    ['streams more than 32 MiB', '/streamed'],
    ['declares 1 TiB in Content-Length', '/declared'],
  ])('a feed that %s fails clobber, and apply deletes nothing', async (_, path) => {
    const config = join(root, `clobber${path.replace('/', '-')}.yaml`);
    writeFileSync(config, `checks:\n  - clobber: { dir: ${w.base}, feed: "${url}${path}", host: ${w.host} }\n`);
    const before = hashTree(w.root);
    const r = await runner(['apply', '--config', config, '--format', 'json']);
    const result = (JSON.parse(r.stdout) as ReportDocument).hosts[0]?.results[0];
    expect(result?.status).toBe('failed');
    expect(result?.summary).toContain(`GET ${url}${path}: body larger than 33554432 bytes`);
    expect(r.code).toBe(4);
    expect(hashTree(w.root)).toBe(before);
  });
});
