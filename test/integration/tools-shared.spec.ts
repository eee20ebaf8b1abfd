import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions, type ToolsPlan } from '../../src/checks/tools/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { planOf, type Context, type Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import type { ReportDocument } from '../../src/report/document.js';
import { runner } from '../helpers/cli.js';
import { testContext } from '../helpers/context.js';
import { startPool } from '../helpers/ssh-pool.js';
import { knownHostsLine } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';
import { countLines, gitDaemon, headOf, hgServe, makeRepo, nodeOf, sh, type Served } from '../helpers/vcs.js';

// Several hosts of one run (LocalHosts named bld-1 … bld-4, as an audit has several SshHosts) and one Context:
// a remote named by URL is asked once for all of them, counted in the servers' own logs.
const T = sandbox('runner-tools-shared-');
const hosts = [1, 2, 3, 4].map((i) => new LocalHost(`bld-${i}`));
const logs = { a: join(T, 'a.log'), b: join(T, 'b.log'), git: join(T, 'git.log') };
const servers: Served[] = [];
let a: Served;
let b: Served;
let git = '';

beforeAll(async () => {
  chmodSync(T, 0o755);
  makeRepo(join(T, 'a'), 'hg');
  makeRepo(join(T, 'b'), 'hg');
  mkdirSync(join(T, 'git'));
  makeRepo(join(T, 'git', 'repo'), 'git', { 'v1.0.0': 1, 'v1.1.0': 2 });
  a = await hgServe(join(T, 'a'), { log: logs.a });
  b = await hgServe(join(T, 'b'), { log: logs.b });
  const daemon = await gitDaemon(join(T, 'git'), logs.git);
  servers.push(a, b, daemon);
  git = `${daemon.url}repo`;
});
afterAll(async () => void (await Promise.all(servers.map((s) => s.stop()))));

/** One check run on every host at once, as an audit runs them; `checkout(i)` is host i's config. */
async function onEveryHost(checkout: (i: number) => object, ctx: Context = testContext('check')) {
  return Promise.all(
    hosts.map((host, i) =>
      runCheck(host, { check: tools, options: ToolsOptions.parse({ checkouts: [checkout(i)] }) }, ctx),
    ),
  );
}

const hgLookups = (log: string) => countLines(log, 'cmd=capabilities');
const wanted = (r: Result) => (planOf(r) as ToolsPlan).checkouts[0]?.to.rev;

describe('tools: one remote look-up per URL per run, shared by every host', () => {
  it('hosts following one hg branch ask once, a host naming another URL asks its own, and each run asks anew', async () => {
    const [beforeA, beforeB] = [hgLookups(logs.a), hgLookups(logs.b)];
    // bld-4 pulls from b; the others from a, each at a path of its own (missing: a clone is planned)
    const checkout = (i: number) => ({ path: join(T, `h${i}`, 'hg'), vcs: 'hg', repo: i === 3 ? b.url : a.url });
    const results = await onEveryHost(checkout);
    expect(results.map((r) => r.status)).toEqual(['drift', 'drift', 'drift', 'drift']);
    expect(results.map(wanted)).toEqual([
      ...[0, 1, 2].map(() => headOf(join(T, 'a'), 'hg')),
      headOf(join(T, 'b'), 'hg'),
    ]);
    expect([hgLookups(logs.a) - beforeA, hgLookups(logs.b) - beforeB]).toEqual([1, 1]);

    await onEveryHost(checkout);
    expect([hgLookups(logs.a) - beforeA, hgLookups(logs.b) - beforeB]).toEqual([2, 2]);
  });

  it('a failed look-up is asked once and every host reports it, naming the host that asked', async () => {
    const before = hgLookups(logs.a);
    const results = await onEveryHost((i) => ({
      path: join(T, `f${i}`, 'hg'),
      vcs: 'hg',
      repo: a.url,
      branch: 'nosuch',
    }));
    expect(hgLookups(logs.a) - before).toBe(1);
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
    for (const r of results) expect(r.summary).toContain("abort: unknown revision 'nosuch'");
    const asked = results.findIndex((r) => !r.summary.includes('asked once'));
    const asker = hosts[asked]?.name as string;
    expect(asker).toBeDefined();
    const others = results.filter((_, i) => i !== asked).map((r) => r.summary);
    for (const s of others) expect(s).toContain(`(asked once for every host of this run, on ${asker})`);
  });

  it('git: the remote HEAD and tag ranges of one URL take one ls-remote each, whatever the range', async () => {
    const before = countLines(logs.git, 'Request upload-pack');
    const specs = [{}, {}, { tag: '^1' }, { tag: '~1.0' }];
    const results = await onEveryHost((i) => ({ path: join(T, `g${i}`, 'git'), vcs: 'git', repo: git, ...specs[i] }));
    expect(countLines(logs.git, 'Request upload-pack') - before).toBe(2);
    const repo = join(T, 'git', 'repo');
    expect(results.map(wanted)).toEqual([
      headOf(repo, 'git'),
      headOf(repo, 'git'),
      nodeOf(repo, 'git', 2),
      nodeOf(repo, 'git', 1),
    ]);
  });

  it.each([
    ['a path', (p: string) => p],
    ['a file:// URL', (p: string) => `file://${p}`],
  ])('a repo named by %s is asked on each host: it may differ from one host to another', async (_, name) => {
    // only root can read this source: a host running hg as another user fails, whichever host asks first
    const USER = 'rtest-tools';
    ensureUser(USER);
    const src = join(T, 'private', 'hg');
    if (headOfOrNone(src) === undefined) {
      makeRepo(src, 'hg');
      chmodSync(join(T, 'private'), 0o700);
    }
    const results = await onEveryHost((i) => ({
      path: join(T, 'local', `${name(src).length}-${i}`, 'hg'),
      vcs: 'hg',
      repo: name(src),
      ...(i % 2 ? { user: USER } : {}),
    }));
    expect(results.map((r) => r.status)).toEqual(['drift', 'failed', 'drift', 'failed']);
    for (const r of results.filter((r) => r.status === 'failed')) expect(r.summary).not.toContain('asked once');
  });
});

describe('runner audit: the hosts of one audit share its look-ups', () => {
  let pool: Awaited<ReturnType<typeof startPool>> | undefined;
  afterAll(async () => void (await pool?.stop()));

  it('three hosts over SSH following one hg URL cause one look-up at it', async () => {
    mkdirSync(join(T, 'pool'));
    pool = await startPool(join(T, 'pool'), 3, 51);
    const config = join(T, 'pool', 'tools.yaml');
    // one config for all (--config): the same missing path on each host, so each plans a clone
    writeFileSync(
      config,
      `checks:\n  - tools: { checkouts: [ { path: ${join(T, 'pool', 'co', 'hg')}, vcs: hg, repo: "${a.url}" } ] }\n`,
    );
    const knownHosts = join(T, 'pool', 'known_hosts');
    writeFileSync(knownHosts, `${pool.hosts.map((h) => knownHostsLine(h.sshd)).join('\n')}\n`);
    const rows = pool.hosts.map((h) => `${h.name} ansible_host=${h.sshd.address} ansible_port=${h.sshd.port}`);
    const inventory = join(T, 'pool', 'hosts.ini');
    const login = `ansible_user=${pool.client.user}\nansible_ssh_private_key_file=${pool.client.key}\n`;
    writeFileSync(inventory, `[pool]\n${rows.join('\n')}\n[pool:vars]\n${login}`);
    const home = join(T, 'pool', 'home');
    mkdirSync(home);
    const before = hgLookups(logs.a);
    const argv = ['audit', '-i', inventory, '--config', config, '--known-hosts', knownHosts, '--format', 'json'];
    const r = await runner(argv, { env: { HOME: home, SSH_AUTH_SOCK: '' } });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as ReportDocument;
    expect(doc.hosts.map((h) => [h.host, h.results.map((x) => x.status)])).toEqual(
      pool.hosts.map((h) => [h.name, ['drift']]),
    );
    expect(hgLookups(logs.a) - before).toBe(1);
  });
});

function headOfOrNone(dir: string): string | undefined {
  try {
    return sh('/', `hg log -R "${dir}" -r . -T '{node}'`);
  } catch {
    return undefined;
  }
}
