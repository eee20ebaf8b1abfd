import { chmodSync, chownSync, existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../src/host/local.js';
import { ensureRootDir } from '../../src/lifecycle/root-dir.js';
import { sandbox } from '../helpers/tmp.js';
import { ensureUser } from '../helpers/users.js';

const dir = sandbox('runner-root-dir-');
const host = new LocalHost();

describe('lifecycle/root-dir', () => {
  it('creates what is missing, mode 0755, under a sticky /tmp (accepted as an ancestor, as OpenSSH does)', async () => {
    expect(statSync('/tmp').mode & 0o1777).toBe(0o1777);
    const state = join(dir, 'a', 'b', 'state');
    await ensureRootDir(host, state, 'lifecycle.state_dir');
    for (const p of [join(dir, 'a'), join(dir, 'a', 'b'), state])
      expect(statSync(p)).toMatchObject({ uid: 0, mode: expect.any(Number) });
    expect(statSync(state).mode & 0o7777).toBe(0o755);
    await ensureRootDir(host, state, 'lifecycle.state_dir'); // idempotent
  });

  it('a sticky world-writable state dir itself is refused: only its ancestors get the exception', async () => {
    const state = join(dir, 'sticky');
    mkdirSync(state);
    chmodSync(state, 0o1777);
    await expect(ensureRootDir(host, state, 'x')).rejects.toThrow(`x ${state}: ${state} is world-writable (mode 1777)`);
  });

  it('never creates through a symlink or below a file, nor below a dir of another user', async () => {
    const other = join(dir, 'elsewhere');
    mkdirSync(other);
    symlinkSync(other, join(dir, 'link'));
    await expect(ensureRootDir(host, join(dir, 'link', 'state'), 'x')).rejects.toThrow(
      `${join(dir, 'link')} is a symlink (name the real directory)`,
    );
    expect(existsSync(join(other, 'state'))).toBe(false);
    writeFileSync(join(dir, 'file'), '');
    await expect(ensureRootDir(host, join(dir, 'file', 'state'), 'x')).rejects.toThrow(
      `${join(dir, 'file')} is not a directory`,
    );
    const user = ensureUser('rtest-build');
    mkdirSync(join(dir, 'theirs'));
    chownSync(join(dir, 'theirs'), user.uid, user.gid);
    await expect(ensureRootDir(host, join(dir, 'theirs', 'state'), 'x')).rejects.toThrow(
      /theirs is owned by rtest-build \(uid \d+\), not root \(mode 0755\)/,
    );
    expect(existsSync(join(dir, 'theirs', 'state'))).toBe(false);
  });
});
