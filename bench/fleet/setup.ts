import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Debian packages each side needs; installed with apt only when missing. */
const PACKAGES: Record<string, string[]> = {
  runner: ['openssh-server', 'openssh-sftp-server', 'mercurial', 'git', 'time'],
  ansible: ['ansible'],
  floor: ['pssh'],
  script: ['pssh'],
  puppet: ['puppet'],
};

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('ok installed');
}

export function ensureTools(sides: readonly string[]): void {
  const missing = ['runner', ...sides].flatMap((s) => PACKAGES[s] ?? []).filter((p) => !installed(p));
  if (missing.length) {
    console.log(`installing ${missing.join(' ')} (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  // sshd's privilege separation dir, missing where the ssh service never ran
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}
