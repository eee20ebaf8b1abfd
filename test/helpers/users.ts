import { execFileSync } from 'node:child_process';

/**
 * A system user for tests (created with useradd when missing; idempotent, safe when test files race).
 * Names start with `rtest-` so nothing real is ever touched; the shell is /bin/sh so logins start fast.
 */
export function ensureUser(name: string): { uid: number; gid: number; home: string } {
  if (!name.startsWith('rtest-')) throw new Error(`test users must be named rtest-*: ${name}`);
  if (!exists(name)) {
    try {
      execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name], { stdio: 'pipe' });
    } catch (err) {
      // another test file may have created it in the meantime
      if (!exists(name)) throw err;
    }
  }
  const [uid, gid, home] = execFileSync('sh', [
    '-c',
    'id -u "$1"; id -g "$1"; getent passwd "$1" | cut -d: -f6',
    'sh',
    name,
  ])
    .toString()
    .trim()
    .split('\n');
  return { uid: Number(uid), gid: Number(gid), home: home as string };
}

function exists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
