import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';

/** Debian packages the suite runs for real, by the command that proves each is there. */
const NEEDED: Record<string, string> = {
  '/usr/bin/hg': 'mercurial',
  '/usr/bin/git': 'git',
  '/usr/bin/puppet': 'puppet',
  '/usr/bin/puppet-lint': 'puppet-lint',
  '/usr/bin/systemd-analyze': 'systemd',
  '/usr/bin/buildbot': 'buildbot',
  '/usr/bin/buildbot-worker': 'buildbot-worker',
  '/usr/sbin/sshd': 'openssh-server',
  '/usr/bin/ssh-keygen': 'openssh-client',
  '/usr/bin/ssh-agent': 'openssh-client',
  '/usr/lib/openssh/sftp-server': 'openssh-sftp-server',
  '/usr/bin/unshare': 'util-linux',
  '/usr/bin/ansible-inventory': 'ansible',
  '/usr/bin/parallel-ssh': 'pssh',
  '/usr/sbin/ip': 'iproute2',
  '/usr/bin/ps': 'procps',
  '/usr/bin/nsenter': 'util-linux',
  '/usr/bin/curl': 'curl',
  '/usr/bin/setpriv': 'util-linux',
};

/** Installs what is missing (as root, through apt), or fails naming the command that would. Never skips. */
export default function setup(): void {
  const missing = [
    ...new Set(
      Object.entries(NEEDED)
        .filter(([bin]) => !existsSync(bin))
        .map(([, pkg]) => pkg),
    ),
  ];
  if (missing.length) {
    const cmd = `apt-get install -y ${missing.join(' ')}`;
    if (process.getuid?.() !== 0) throw new Error(`missing test components; run as root: ${cmd}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('sh', ['-c', `apt-get update -qq && ${cmd}`], { stdio: 'inherit', env });
  }
  // sshd refuses to start without its privilege separation dir on machines where the service never ran
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}
