import { planOf } from '../../src/core/types.js';
import {
  chmodSync,
  chownSync,
  existsSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temp } from '../../src/checks/temp/index.js';
import { TempOptions, type TempPlan } from '../../src/checks/temp/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { LocalHost } from '../../src/host/local.js';
import { temp as fix } from '../../src/remediations/temp.js';
import { testContext } from '../helpers/context.js';
import { HOUR } from '../helpers/dirs.js';
import { mountTmpfs } from '../helpers/mount.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';
import { ensureUser } from '../helpers/users.js';

const root = sandbox();
// as /tmp is: the build users reach it (temp deletes as the entry's owner)
chmodSync(root, 0o755);
const host = new LocalHost();
const servers: Server[] = [];
afterAll(() => servers.forEach((s) => s.close()));

type Owner = { uid: number; gid: number };
let build: Owner;
let other: Owner;
beforeAll(() => {
  build = ensureUser('rtest-build');
  other = ensureUser('rtest-other');
});

const OLD = 2 * HOUR;
function age(path: string, ms: number, link = false): void {
  const t = (Date.now() - ms) / 1000;
  (link ? lutimesSync : utimesSync)(path, t, t);
}
function file(path: string, owner: Owner, ms = OLD, bytes = 5000): void {
  writeFileSync(path, Buffer.alloc(bytes, 1));
  chownSync(path, owner.uid, owner.gid);
  age(path, ms);
}
function dir(path: string, owner: Owner, fill: (d: string) => void = () => {}, ms = OLD): void {
  mkdirSync(path);
  fill(path);
  chownSync(path, owner.uid, owner.gid);
  age(path, ms);
}
async function socket(path: string, owner: Owner): Promise<void> {
  const srv = createServer();
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(path, resolve));
  chownSync(path, owner.uid, owner.gid);
  age(path, OLD);
}
function link(path: string, target: string, owner: Owner): void {
  symlinkSync(target, path);
  lchownSync(path, owner.uid, owner.gid);
  age(path, OLD, true);
}

function entry(raw: Record<string, unknown>) {
  return { check: temp, remediation: fix, options: TempOptions.parse({ users: ['rtest-build'], ...raw }) };
}

describe('checks/temp (real files owned by test users)', () => {
  const tmp = join(root, 'tmp');
  const outside = join(root, 'outside');
  const opts = { paths: [`${tmp}/*`], keep: [`${tmp}/pulse-*`], older_than: '15m' };

  beforeAll(async () => {
    mkdirSync(outside);
    writeFileSync(join(outside, 'target'), 'precious');
    mkdirSync(join(outside, 'dir'));
    writeFileSync(join(outside, 'dir', 'inside'), 'precious too');
    mkdirSync(tmp);
    chmodSync(tmp, 0o1777); // as /tmp is
    file(join(tmp, 'old.log'), build);
    file(join(tmp, '.hidden-old'), build);
    file(join(tmp, 'odd\nname with  spaces'), build);
    file(join(tmp, 'young.log'), build, 60_000);
    file(join(tmp, 'other.log'), other);
    file(join(tmp, 'root.log'), { uid: 0, gid: 0 });
    await socket(join(tmp, 'live.sock'), build);
    execFileSync('mkfifo', [join(tmp, 'fifo')]);
    chownSync(join(tmp, 'fifo'), build.uid, build.gid);
    age(join(tmp, 'fifo'), OLD);
    link(join(tmp, 'link-out'), join(outside, 'target'), build);
    dir(join(tmp, 'build-old'), build, (d) => {
      dir(join(d, 'sub'), build, (s) => file(join(s, 'obj.o'), build, OLD, 20_000));
      file(join(d, 'a.txt'), build);
      link(join(d, 'to-outside'), join(outside, 'dir'), build);
    });
    mkdirSync(join(tmp, 'with-socket'));
    await socket(join(tmp, 'with-socket', 's'), build);
    chownSync(join(tmp, 'with-socket'), build.uid, build.gid);
    age(join(tmp, 'with-socket'), OLD);
    dir(join(tmp, 'with-young'), build, (d) => file(join(d, 'new'), build, 60_000));
    dir(join(tmp, 'with-other'), build, (d) => file(join(d, 'theirs'), other));
    dir(join(tmp, 'pulse-abc'), build, (d) => file(join(d, 'pid'), build));
    // a symlinked dir on the way of a glob is never entered
    link(join(root, 'via-link'), outside, build);
  });

  it('plans exactly the old entries of the users in scope, with owner, age and size, and changes nothing in check mode', async () => {
    const before = hashTree(root);
    const r = await runCheck(
      host,
      entry({ ...opts, paths: [...opts.paths, `${root}/via-link/*`] }),
      testContext('check'),
    );
    expect(r.status, r.summary).toBe('drift');
    const plan = planOf(r) as TempPlan;
    expect(plan.delete.map((i) => i.path.slice(tmp.length + 1))).toEqual([
      '.hidden-old',
      'build-old',
      'link-out',
      'odd\nname with  spaces',
      'old.log',
    ]);
    const buildOld = plan.delete.find((i) => i.path.endsWith('build-old'));
    expect(buildOld).toMatchObject({ type: 'dir', user: 'rtest-build', uid: build.uid });
    expect(buildOld?.bytes).toBeGreaterThanOrEqual(25_000);
    expect(buildOld?.ageMs).toBeGreaterThan(HOUR);
    expect(plan.bytes).toBe(plan.delete.reduce((n, i) => n + i.bytes, 0));
    expect(Object.fromEntries(plan.kept.map((k) => [k.path.slice(tmp.length + 1), k.why]))).toEqual({
      fifo: 'a fifo',
      'live.sock': 'a socket',
      'pulse-abc': `keep ${tmp}/pulse-*`,
      'with-other': `holds ${tmp}/with-other/theirs owned by uid ${other.uid}`,
      'with-socket': `holds a socket (${tmp}/with-socket/s)`,
      'with-young': `holds ${tmp}/with-young/new, modified within older_than`,
      'young.log': 'younger than older_than',
    });
    expect(r.warnings).toEqual([`${root}/via-link is a symlink: not followed for ${root}/via-link/*`]);
    expect(hashTree(root)).toBe(before);
  });

  it('deletes them (links, never their targets), re-checks, and a second apply changes nothing', async () => {
    const r = await runCheck(host, entry(opts), testContext('apply'));
    expect(r.status, r.summary).toBe('changed');
    expect(r.summary).toMatch(/^deleted 5 entries \(\d+\.\d kB\)$/);
    expect(listTree(tmp, 1)).toEqual([
      'fifo',
      'live.sock',
      'other.log',
      'pulse-abc',
      'root.log',
      'with-other',
      'with-socket',
      'with-young',
      'young.log',
    ]);
    expect(readFileSync(join(outside, 'target'), 'utf8')).toBe('precious');
    expect(readFileSync(join(outside, 'dir', 'inside'), 'utf8')).toBe('precious too');
    const again = await runCheck(host, entry(opts), testContext('apply'));
    expect(again.status, again.summary).toBe('ok');
    expect(again.summary).toBe('nothing of rtest-build older than 15m to delete; 7 kept');
  });

  const fs2 = join(root, 'fs2');
  const canMount = mountTmpfs(join(fs2, 'mnt')) && mountTmpfs(join(fs2, 'holder', 'm'));
  it.runIf(canMount)('never deletes a mount point nor a dir holding one', async () => {
    for (const d of [join(fs2, 'mnt'), join(fs2, 'holder', 'm'), join(fs2, 'holder')]) {
      chownSync(d, build.uid, build.gid);
      age(d, OLD);
    }
    file(join(fs2, 'mnt', 'inside'), build);
    age(join(fs2, 'mnt'), OLD);
    const r = await runCheck(host, entry({ paths: [`${fs2}/*`] }), testContext('apply'));
    expect(r.status, r.summary).toBe('ok');
    expect(r.summary).toBe('nothing of rtest-build older than 15m to delete; 2 kept');
    expect(existsSync(join(fs2, 'mnt', 'inside'))).toBe(true);
  });

  it('leaves alone an entry modified between the probe and the fix', async () => {
    const d = join(root, 'race');
    mkdirSync(d);
    file(join(d, 'f'), build);
    const probed = await temp.probe(
      host,
      TempOptions.parse({ users: ['rtest-build'], paths: [`${d}/*`] }),
      testContext('apply'),
    );
    expect(probed.state).toBe('drift');
    writeFileSync(join(d, 'f'), 'in use again');
    const done = await fix.apply(
      host,
      (probed as { plan: TempPlan }).plan,
      TempOptions.parse({ users: ['rtest-build'], paths: [`${d}/*`] }),
      testContext('apply'),
    );
    expect(done).toBe(`deleted 0 entries (0 B); 1 changed since the probe, left alone: ${d}/f`);
    expect(readFileSync(join(d, 'f'), 'utf8')).toBe('in use again');
  });
});

describe('checks/temp options', () => {
  it.each([
    [{ paths: ['tmp/*'] }, 'expected an absolute path glob'],
    [{ paths: ['/tmp/../etc/*'] }, "it has a '..' component"],
    [{ paths: ['/*'] }, 'at least two levels deep'],
    [{ paths: ['/tmp/*'], users: ['root'] }, 'root is never in scope'],
    [{ paths: ['/tmp/*'], older_than: '15 minutes' }, 'expected a duration'],
  ])('rejects %j', (raw, message) => {
    const r = TempOptions.safeParse({ users: ['cltbld'], ...raw });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain(message);
  });
});
