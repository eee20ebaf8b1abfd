import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/host/local.js';
import { mountTmpfs } from '../helpers/mount.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

const root = sandbox();
const host = new LocalHost('test');

function tree(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(join(dir, 'a', 'b', 'f'), 'x'.repeat(10_000));
  return dir;
}

describe('host/local', () => {
  it('lstat never follows a symlink and returns null for missing paths', async () => {
    const dir = tree('lstat');
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    expect((await host.lstat(join(dir, 'link')))?.type).toBe('symlink');
    expect((await host.lstat(join(dir, 'a')))?.type).toBe('dir');
    expect(await host.lstat(join(dir, 'missing'))).toBeNull();
    expect(await host.lstat(join(dir, 'a', 'b', 'f', 'below-a-file'))).toBeNull();
  });

  it('readdir lists entries with their own types, mtimes and devices', async () => {
    const dir = tree('readdir');
    symlinkSync('/etc', join(dir, 'etc-link'));
    const entries = (await host.readdir(dir)) ?? [];
    expect(entries.map((e) => [e.name, e.type]).sort()).toEqual([
      ['a', 'dir'],
      ['etc-link', 'symlink'],
    ]);
    expect(entries.every((e) => e.dev === statSync(dir).dev && e.mtimeMs > 0)).toBe(true);
    expect(await host.readdir(join(dir, 'missing'))).toBeNull();
  });

  it('writeFile is atomic: the content and mode land at once and no temp file is left', async () => {
    const dir = tree('write');
    const target = join(dir, 'marker');
    writeFileSync(target, 'old\n');
    await host.writeFile(target, 'new\n', { mode: 0o600 });
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['a', 'marker']);
    expect(await host.readFile(join(dir, 'nope'))).toBeNull();
  });

  it('remove deletes a tree but never what a symlink inside it points to', async () => {
    const outside = tree('outside');
    const dir = tree('victim');
    symlinkSync(outside, join(dir, 'a', 'to-outside'));
    symlinkSync(join(outside, 'a', 'b', 'f'), join(dir, 'file-link'));
    expect(await host.remove(dir)).toEqual({ removed: true });
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync(join(outside, 'a', 'b', 'f'), 'utf8')).toHaveLength(10_000);
  });

  it('remove unlocks read-only dirs of the tree and reports what it cannot delete', async () => {
    const dir = tree('locked');
    chmodSync(join(dir, 'a', 'b'), 0o500);
    expect(await host.remove(dir)).toEqual({ removed: true });

    const stuck = tree('immutable');
    execFileSync('chattr', ['+i', join(stuck, 'a', 'b', 'f')]);
    const r = await host.remove(stuck).finally(() => execFileSync('chattr', ['-i', join(stuck, 'a', 'b', 'f')]));
    expect(r.removed).toBe(false);
    expect(r.error).toContain('Operation not permitted');
    expect(existsSync(join(stuck, 'a', 'b', 'f'))).toBe(true);
  });

  const mounted = join(root, 'fs2', 'mnt');
  const canMount = mountTmpfs(mounted);
  it('removeAll deletes many trees in one go and reports each one it could not delete', async () => {
    const [a, b, stuck] = [tree('many-a'), tree('many-b'), tree('many-stuck')];
    execFileSync('chattr', ['+i', join(stuck, 'a', 'b', 'f')]);
    const results = await host
      .removeAll([a, join(root, 'many-missing'), stuck, b])
      .finally(() => execFileSync('chattr', ['-i', join(stuck, 'a', 'b', 'f')]));
    expect(results.map((r) => r.removed)).toEqual([true, false, false, true]);
    expect(results[1]).toEqual({ removed: false });
    expect(results[2]?.error).toContain(`'${stuck}/a/b/f': Operation not permitted`);
    expect([existsSync(a), existsSync(b), existsSync(join(stuck, 'a', 'b', 'f'))]).toEqual([false, false, true]);
  });

  it('removeAll spread over several rm processes still removes every tree asked and names the one it could not', async () => {
    const trees = Array.from({ length: 11 }, (_, i) => tree(`lane-${i}`));
    const keep = tree('lane-not-asked');
    const stuck = trees[6] as string;
    execFileSync('chattr', ['+i', join(stuck, 'a', 'b', 'f')]);
    const results = await host
      .removeAll(trees)
      .finally(() => execFileSync('chattr', ['-i', join(stuck, 'a', 'b', 'f')]));
    expect(results.map((r) => r.removed)).toEqual(trees.map((t) => t !== stuck));
    expect(results[6]?.error).toContain(`'${stuck}/a/b/f': Operation not permitted`);
    expect(results.filter((r) => r.error).length).toBe(1);
    expect(trees.map((t) => existsSync(t))).toEqual(trees.map((t) => t === stuck));
    expect(existsSync(join(keep, 'a', 'b', 'f'))).toBe(true);
  });

  it.runIf(canMount)('remove never crosses into another filesystem and refuses a mount point', async () => {
    writeFileSync(join(mounted, 'precious'), 'keep me');
    const r = await host.remove(join(root, 'fs2'));
    expect(r.removed).toBe(false);
    expect(r.error).toMatch(/different device|mnt/);
    expect(readFileSync(join(mounted, 'precious'), 'utf8')).toBe('keep me');
    expect(await host.remove(mounted)).toEqual({ removed: false, error: `${mounted} is a mount point: not removed` });
    expect(existsSync(join(mounted, 'precious'))).toBe(true);
  });

  it('measures disk usage of many dirs in one call and free bytes like statfs', async () => {
    const a = tree('du-a');
    const b = tree('du-b');
    const sizes = await host.diskUsage([a, b, join(root, 'du-missing')]);
    expect(sizes.get(a)).toBeGreaterThanOrEqual(10_000);
    expect(sizes.get(b)).toBe(sizes.get(a));
    expect(sizes.get(join(root, 'du-missing'))).toBe(0);
    const s = statfsSync(root);
    const free = await host.freeBytes(root);
    expect(Math.abs(free - s.bavail * s.bsize)).toBeLessThan(64 * 1024 ** 2);
  });

  it('runs argv as given, reports exit codes, and runs as another user', async () => {
    const r = await host.run('sh', ['-c', 'echo "$1"; echo err >&2; exit 3', 'sh', 'a b; $(rm -rf /)']);
    expect(r).toMatchObject({ exitCode: 3, stdout: 'a b; $(rm -rf /)\n', stderr: 'err\n', timedOut: false });
    const missing = await host.run('/no/such/binary');
    expect(missing.exitCode).toBeUndefined();
    expect(missing.stderr).toContain('ENOENT');
    ensureUser('rtest-build');
    expect((await host.run('id', ['-un'], { user: 'rtest-build' })).stdout.trim()).toBe('rtest-build');
    const slow = await host.run('sleep', ['5'], { timeoutMs: 200 });
    expect(slow.timedOut).toBe(true);
  });
});
