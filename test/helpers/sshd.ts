import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshHost } from '../../src/host/ssh.js';
import { parseKnownHosts } from '../../src/host/ssh/known-hosts.js';
import { freePort } from './ports.js';
import { ensureUser } from './users.js';

export const SSH_USER = 'rtest-ssh';

/** One real OpenSSH sshd on its own loopback address and port, with its own host key. */
export interface Sshd {
  address: string;
  port: number;
  /** "ssh-ed25519 AAAA…" */
  hostKey: string;
  proc: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

export function keygen(file: string, comment: string, passphrase = ''): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

/** The client side of a pool: the test user (shell /bin/sh) and a key it accepts. */
export function sshClient(dir: string): { user: string; key: string; authorizedKeys: string } {
  ensureUser(SSH_USER);
  // useradd leaves the account locked ('!'), and sshd without PAM refuses locked accounts even for keys
  execFileSync('usermod', ['-p', '*', SSH_USER]);
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'client_key');
  const pub = keygen(key, 'rtest-client');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, `${pub}\n`, { mode: 0o644 });
  return { user: SSH_USER, key, authorizedKeys };
}

export interface SshdOptions {
  dir: string;
  address: string;
  authorizedKeys: string;
  /** a shell command run before sshd inside its own mount namespace (e.g. mounting a tmpfs) */
  inNamespace?: string;
  /** VERBOSE by default (tests read the log); the benches use sshd's own default, INFO */
  logLevel?: string;
  /** `SetEnv` of the sessions, e.g. a PATH with a command that stalls */
  setEnv?: readonly string[];
}

/** Starts sshd in the foreground as our child; resolves once it listens. */
export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  mkdirSync(opts.dir, { recursive: true });
  const hostKeyFile = join(opts.dir, 'hostkey');
  const hostKey = keygen(hostKeyFile, `rt-host-${opts.address}`);
  const port = await freePort(opts.address);
  const cfg = join(opts.dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      `ListenAddress ${opts.address}:${port}`,
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(opts.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${opts.authorizedKeys}`,
      'AuthenticationMethods publickey',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      `AllowUsers ${SSH_USER}`,
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      'UsePAM no',
      'StrictModes no',
      'MaxStartups 100:30:200',
      `LogLevel ${opts.logLevel ?? 'VERBOSE'}`,
      ...(opts.setEnv?.length ? [`SetEnv ${opts.setEnv.join(' ')}`] : []),
      '',
    ].join('\n'),
  );
  const sshd = `exec /usr/sbin/sshd -D -e -f ${cfg}`;
  const proc = opts.inNamespace
    ? spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${opts.inNamespace} && ${sshd}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sshd on ${opts.address}:${port} did not start within 30s:\n${log}`)),
      30_000,
    );
    proc.stderr?.on('data', () => {
      if (log.includes('Server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd on ${opts.address}:${port} exited ${code}:\n${log}`));
    });
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  };
  return { address: opts.address, port, hostKey, proc, log: () => log, stop };
}

/** A known_hosts line for a server, in OpenSSH's `[address]:port` form. */
export function knownHostsLine(s: Pick<Sshd, 'address' | 'port' | 'hostKey'>): string {
  return `[${s.address}]:${s.port} ${s.hostKey}`;
}

/** The same line with the name hashed, as `HashKnownHosts yes` writes it. */
export function hashedKnownHostsLine(s: Pick<Sshd, 'address' | 'port' | 'hostKey'>): string {
  const file = join(process.env.TMPDIR ?? '/tmp', `rt-kh-${process.pid}-${s.port}`);
  writeFileSync(file, `${knownHostsLine(s)}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'pipe' });
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('|1|')) as string;
  execFileSync('rm', ['-f', file, `${file}.old`]);
  return line;
}

/** An SshHost logged in to `sshd` as `client`, its key pinned by known_hosts; new keys recorded under `dir`. */
export async function connectTo(
  sshd: Sshd,
  client: { user: string; key: string },
  dir: string,
  name = 'h1',
): Promise<SshHost> {
  return SshHost.connect(
    {
      name,
      address: sshd.address,
      port: sshd.port,
      user: client.user,
      identityFiles: [client.key],
      explicitIdentity: true,
      become: false,
    },
    {
      knownHosts: parseKnownHosts(knownHostsLine(sshd)),
      recordTo: join(dir, 'kh'),
      acceptNew: false,
      connectTimeoutMs: 20_000,
    },
  );
}
