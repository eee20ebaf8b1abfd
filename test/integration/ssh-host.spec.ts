import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  existsSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorker } from '../../fixtures/worker.js';
import { decodeBytes, encodeBytes } from '../../src/core/bytes.js';
import { HostUnreachableError } from '../../src/core/errors.js';
import { LocalHost } from '../../src/host/local.js';
import { SshHost } from '../../src/host/ssh.js';
import type { SshOptions, SshTarget } from '../../src/host/ssh/connect.js';
import { loadKnownHosts, parseKnownHosts } from '../../src/host/ssh/known-hosts.js';
import { hashTree } from '../helpers/tree.js';
import { keygen, knownHostsLine, sshClient, startSshd, type Sshd } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';

const root = sandbox('runner-ssh-host-');
chmodSync(root, 0o755);
let sshd: Sshd;
let host: SshHost;
let target: SshTarget;
let options: SshOptions;
let authorizedKeys: string;
const local = new LocalHost();
const weird = `we ird;$(touch pwned)'"\`\nline2 $HOME *`;

beforeAll(async () => {
  const client = sshClient(join(root, 'client'));
  authorizedKeys = client.authorizedKeys;
  mkdirSync(join(root, 'mnt'));
  sshd = await startSshd({
    dir: join(root, 'sshd'),
    address: '127.0.0.2',
    authorizedKeys: client.authorizedKeys,
    // a filesystem only this sshd sees: remove must refuse to cross into it
    inNamespace: `mount -t tmpfs -o size=1m rtest ${join(root, 'mnt')} && mkdir ${join(root, 'mnt', 'inner')}`,
  });
  target = {
    name: 'h1',
    address: sshd.address,
    port: sshd.port,
    user: client.user,
    identityFiles: [client.key],
    explicitIdentity: true,
    become: false,
  };
  options = {
    knownHosts: parseKnownHosts(knownHostsLine(sshd)),
    recordTo: join(root, 'kh-new'),
    acceptNew: false,
    connectTimeoutMs: 20_000,
  };
  host = await SshHost.connect(target, options);
});

afterAll(async () => {
  await host?.close();
  await sshd?.stop();
});

describe('SshHost', () => {
  it('sees a worker tree exactly as LocalHost does, and changes nothing', async () => {
    const w = makeWorker(join(root, 'w1'), { dirs: 12 });
    const before = hashTree(w.root);
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect((await host.readdir(w.base))?.sort(byName)).toEqual((await local.readdir(w.base))?.sort(byName));
    expect(await host.lstat(w.base)).toEqual(await local.lstat(w.base));
    expect(await host.readFile(w.feed)).toEqual(await local.readFile(w.feed));
    const dirs = ((await local.readdir(w.base)) ?? []).map((e) => join(w.base, e.name));
    expect(await host.diskUsage(dirs)).toEqual(await local.diskUsage(dirs));
    const free = await host.freeBytes(w.base);
    expect(Math.abs(free - (await local.freeBytes(w.base)))).toBeLessThan(0.05 * free);
    expect(hashTree(w.root)).toBe(before);
  });

  it('answers null for what does not exist, like LocalHost', async () => {
    for (const p of [join(root, 'nope'), join(root, 'nope', 'deeper'), '/etc/hostname/x']) {
      expect(await host.lstat(p)).toBeNull();
      expect(await host.readdir(p)).toBeNull();
      expect(await host.readFile(p)).toBeNull();
      expect(await host.remove(p)).toEqual({ removed: false });
    }
    expect(await host.readdir('/etc/hostname')).toBeNull();
  });

  it('reports symlinks as symlinks, never following them', async () => {
    const dir = join(root, 'links');
    mkdirSync(dir);
    symlinkSync('/etc', join(dir, 'etc-link'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const entries = await host.readdir(dir);
    expect(entries?.map((e) => [e.name, e.type]).sort()).toEqual([
      ['etc-link', 'symlink'],
      ['fifo', 'fifo'],
    ]);
    expect((await host.lstat(join(dir, 'etc-link')))?.type).toBe('symlink');
  });

  it('passes names with quotes, $(), ;, spaces and newlines literally', async () => {
    const dir = join(root, 'inject');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const path = join(dir, weird);
    await host.writeFile(path, 'payload\n');
    expect(readFileSync(path, 'utf8')).toBe('payload\n');
    expect((await host.readdir(dir))?.map((e) => e.name)).toEqual([weird]);
    expect(await host.readFile(path)).toBe('payload\n');
    const echoed = await host.run('printf', ['%s', weird]);
    expect(echoed.stdout).toBe(weird);
    await host.rename(path, `${path}.2`);
    expect(existsSync(`${path}.2`)).toBe(true);
    expect(await host.remove(`${path}.2`)).toEqual({ removed: true });
    expect(existsSync(join(dir, 'pwned')) || existsSync('pwned')).toBe(false);
  });

  it('runs argv with exit codes, stderr, stdin, cwd, env and a timeout', async () => {
    const r = await host.run('sh', ['-c', 'echo out; echo err >&2; exit 7']);
    expect(r).toMatchObject({ exitCode: 7, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    expect((await host.run('cat', [], { input: 'in put\n' })).stdout).toBe('in put\n');
    expect((await host.run('pwd', [], { cwd: '/etc' })).stdout).toBe('/etc\n');
    expect((await host.run('sh', ['-c', 'printf %s "$X"'], { env: { X: weird } })).stdout).toBe(weird);
    const slow = await host.run('sleep', ['30'], { timeoutMs: 500 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: undefined });
    expect((await host.run('whoami')).stdout.trim()).toBe('rtest-ssh');
  });

  it('removes trees with read-only dirs, and never a mount point', async () => {
    const dir = join(root, 'owned', 'doomed');
    mkdirSync(join(dir, 'ro', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'ro', 'sub', 'f'), 'x');
    chmodSync(join(dir, 'ro'), 0o555);
    execFileSync('chown', ['-R', 'rtest-ssh', join(root, 'owned')]);
    expect(await host.remove(dir)).toEqual({ removed: true });
    expect(existsSync(dir)).toBe(false);
    const r = await host.remove(join(root, 'mnt'));
    expect(r).toEqual({ removed: false, error: `${join(root, 'mnt')} is a mount point: not removed` });
    expect((await host.lstat(join(root, 'mnt', 'inner')))?.type).toBe('dir');
  });

  it('answers metadata on one remote shell, and runs a second command beside a slow one on a second shell', async () => {
    const fresh = await SshHost.connect(target, options);
    try {
      const paths = [root, join(root, 'nope'), '/etc', '/etc/hostname', join(root, 'client')];
      expect(await Promise.all(paths.map((p) => fresh.lstat(p)))).toEqual(
        await Promise.all(paths.map((p) => local.lstat(p))),
      );
      // asked together, answered in one round trip
      expect(fresh.stats).toMatchObject({ execs: 1, sftpOps: 0, shellOps: 5, roundTrips: 1 });
      // the first command waits for a file only the second creates: on one shell they would wait for each other forever
      const flag = join(root, 'owned', 'second-ran');
      mkdirSync(join(root, 'owned'), { recursive: true });
      execFileSync('chown', ['rtest-ssh', join(root, 'owned')]);
      const [first, second] = await Promise.all([
        fresh.run('sh', ['-c', 'while [ ! -e "$1" ]; do sleep 0.05; done; echo saw it', 'sh', flag], {
          timeoutMs: 60_000,
        }),
        fresh.run('touch', [flag]),
      ]);
      expect([first.stdout, second.exitCode]).toEqual(['saw it\n', 0]);
      expect(fresh.stats).toMatchObject({ execs: 2, sftpOps: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('counts its round trips', () => {
    expect(host.stats.execs).toBeGreaterThan(0);
    expect(host.stats.sftpOps).toBeGreaterThan(0);
  });

  it.each([
    ['refused', async () => ({ ...target, port: 1 })],
    ['auth', async () => ({ ...target, user: 'rtest-nobody' })],
  ])('classifies %s', async (reason, make) => {
    const err = await SshHost.connect(await make(), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as HostUnreachableError).reason).toBe(reason);
  });

  it('refuses an unknown host key unless accept-new, then records it', async () => {
    const err = await SshHost.connect(target, { ...options, knownHosts: [] }).catch((e: unknown) => e);
    expect((err as HostUnreachableError).reason).toBe('hostkey-unknown');
    const h = await SshHost.connect(target, { ...options, knownHosts: [], acceptNew: true });
    await h.close();
    expect(readFileSync(options.recordTo, 'utf8')).toBe(`${knownHostsLine(sshd)}\n`);
    const again = await SshHost.connect(target, {
      ...options,
      knownHosts: parseKnownHosts(readFileSync(options.recordTo, 'utf8')),
    });
    await again.close();
  });

  it('authenticates with an encrypted key given its passphrase, and says why without it', async () => {
    const key = join(root, 'enc_key');
    const pub = keygen(key, 'rtest-enc', 'secret words');
    appendFileSync(authorizedKeys, `${pub}\n`);
    const enc = { ...target, identityFiles: [key] };
    const err = await SshHost.connect(enc, options).catch((e: unknown) => e);
    expect((err as HostUnreachableError).reason).toBe('auth');
    expect((err as Error).message).toMatch(/enc_key: .*passphrase/i);
    const h = await SshHost.connect(enc, { ...options, passphrase: 'secret words' });
    expect((await h.run('whoami')).stdout.trim()).toBe('rtest-ssh');
    await h.close();
  });

  it('authenticates through a real ssh-agent', async () => {
    const sock = join(root, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', ['-q', target.identityFiles[0] as string], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: 'pipe',
      });
      const h = await SshHost.connect({ ...target, identityFiles: [] }, { ...options, agent: sock });
      expect((await h.run('whoami')).stdout.trim()).toBe('rtest-ssh');
      await h.close();
    } finally {
      agent.kill();
    }
  });

  it('refuses a changed host key even with accept-new', async () => {
    const other = knownHostsLine({
      ...sshd,
      hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1s1P0kCDWeYhXq6QRIqZl0tF2JBv4Qh4rW7KMYdB3a',
    });
    const err = await SshHost.connect(target, {
      ...options,
      knownHosts: parseKnownHosts(other),
      acceptNew: true,
    }).catch((e: unknown) => e);
    expect((err as HostUnreachableError).reason).toBe('hostkey-changed');
  });

  // the known_hosts file on disk, as the audit loads it: reports name its path and line
  async function refusal(recorded: string): Promise<HostUnreachableError> {
    const file = join(root, `kh-${randomBytes(4).toString('hex')}`);
    writeFileSync(file, `# pinned by ops\n\n${knownHostsLine({ ...sshd, hostKey: recorded })}\n`);
    const err = await SshHost.connect(target, { ...options, knownHosts: await loadKnownHosts([file]) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostUnreachableError);
    return Object.assign(err as HostUnreachableError, { file });
  }
  const fingerprintOf = (pub: string) =>
    execFileSync('ssh-keygen', ['-l', '-f', pub], { encoding: 'utf8' }).split(' ')[1];

  it('a changed key of the same type: hostkey-changed with both fingerprints and the known_hosts line', async () => {
    const other = keygen(join(root, 'other-ed25519'), 'other');
    const err = (await refusal(other)) as HostUnreachableError & { file: string };
    expect(err.reason).toBe('hostkey-changed');
    const presented = fingerprintOf(join(root, 'sshd', 'hostkey.pub'));
    expect(err.failure.hostKey).toEqual({
      type: 'ssh-ed25519',
      fingerprint: presented,
      recorded: [
        { file: err.file, line: 3, type: 'ssh-ed25519', fingerprint: fingerprintOf(join(root, 'other-ed25519.pub')) },
      ],
    });
    expect(err.detail).toContain(
      `host key ssh-ed25519 ${presented} differs from known_hosts (${err.file}:3 ssh-ed25519 `,
    );
  });

  it('a recorded key of another type than the one the host now has: hostkey-changed, not a failed negotiation', async () => {
    const rsa = join(root, 'other-rsa');
    execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', 'old', '-f', rsa]);
    const recorded = readFileSync(`${rsa}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const err = (await refusal(recorded)) as HostUnreachableError & { file: string };
    expect(err.reason).toBe('hostkey-changed');
    expect(err.failure.hostKey).toEqual({
      type: 'ssh-ed25519',
      fingerprint: fingerprintOf(join(root, 'sshd', 'hostkey.pub')),
      recorded: [{ file: err.file, line: 3, type: 'ssh-rsa', fingerprint: fingerprintOf(`${rsa}.pub`) }],
    });
  });
});

describe('SshHost output: bytes as they are, and caps', () => {
  it('answers 40 pipelined requests of random bytes (NULs, 0xff, up to 300 KB) exactly, whatever the chunking', async () => {
    const dir = join(root, 'random');
    mkdirSync(dir);
    const files = Array.from({ length: 40 }, (_, i) => {
      const path = join(dir, `f${i}`);
      writeFileSync(path, randomBytes(i % 4 === 0 ? i : (i * 7919) % 300_000));
      return path;
    });
    const answers = await Promise.all(files.map((f) => host.readFile(f)));
    // decodeBytes is one-to-one: equal strings are equal bytes
    answers.forEach((text, i) => expect(text === decodeBytes(readFileSync(files[i] as string)), files[i]).toBe(true));
  });

  it('round-trips a file name that is not UTF-8: listed, stat-ed, echoed, removed', async () => {
    const dir = join(root, 'bytes');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const raw = Buffer.concat([Buffer.from(dir), Buffer.from([0x2f, 0x66, 0xff, 0x2e, 0xc3, 0x28])]);
    writeFileSync(raw, 'x');
    execFileSync('chown', ['-R', 'rtest-ssh', dir]);
    const names = (await host.readdir(dir))?.map((e) => e.name) ?? [];
    expect(names.map((n) => [...encodeBytes(n)])).toEqual([[0x66, 0xff, 0x2e, 0xc3, 0x28]]);
    const path = join(dir, names[0] as string);
    expect((await host.lstat(path))?.type).toBe('file');
    expect(encodeBytes((await host.run('printf', ['%s', path])).stdout).equals(raw)).toBe(true);
    // an exec channel (stdin given): the command line itself carries the bytes
    expect((await host.run('cat', [path], { input: '' })).stdout).toBe('x');
    expect(await host.remove(path)).toEqual({ removed: true });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails a request whose stdout passes 64 MiB, and the same shell answers the requests queued behind it', async () => {
    const [flood, after, stat] = await Promise.all([
      host.run('head', ['-c', '70000000', '/dev/zero']),
      host.run('echo', ['still here']),
      host.lstat('/etc'),
    ]);
    expect(flood).toMatchObject({
      exitCode: undefined,
      stdout: '',
      stderr: 'stdout: output larger than 67108864 bytes: dropped',
      truncated: true,
    });
    expect(after).toMatchObject({ exitCode: 0, stdout: 'still here\n' });
    expect(stat).toEqual(await local.lstat('/etc'));
    const big = join(root, 'big');
    writeFileSync(big, Buffer.alloc(70_000_000, 0x61));
    // readFile reads at most its cap (+1 byte) on the host: the file is refused, never shipped
    await expect(host.readFile(big)).rejects.toThrow(`h1:${big} is larger than 1048576 bytes: not read`);
    await expect(host.readFile(big, { maxBytes: 100_000_000 })).rejects.toThrow(
      `reading ${big} on h1: stdout: output larger than 67108864 bytes: dropped`,
    );
  });

  it('fails a request whose stderr passes 1 MiB, keeping its stdout', async () => {
    const r = await host.run('sh', ['-c', 'head -c 2000000 /dev/zero >&2; echo out']);
    expect(r).toMatchObject({
      exitCode: undefined,
      stdout: 'out\n',
      stderr: 'stderr: output larger than 1048576 bytes: dropped',
      truncated: true,
    });
    expect((await host.run('true')).exitCode).toBe(0);
  });

  it('fails an exec channel (stdin given) past its cap, closing it: an endless stream ends', async () => {
    const r = await host.run('sh', ['-c', 'cat >/dev/null; cat /dev/zero'], { input: 'x' });
    expect(r).toMatchObject({
      exitCode: undefined,
      stderr: 'stdout: output larger than 67108864 bytes: dropped',
      truncated: true,
    });
    expect((await host.run('cat', [], { input: 'again' })).stdout).toBe('again');
  });
});
