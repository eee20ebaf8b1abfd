import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { afterAll } from 'vitest';

/**
 * Mounts a small tmpfs at `dir` (a second filesystem inside the sandbox; 8 MiB unless `size` says), unmounted after
 * the file's tests.
 * Returns false, with the reason on stderr, where mounting is not permitted, so callers can report it.
 */
export function mountTmpfs(dir: string, size = '8m'): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    process.stderr.write(`NOT RUN: cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})\n`);
    return false;
  }
  afterAll(() => execFileSync('umount', ['-l', dir]));
  return true;
}
