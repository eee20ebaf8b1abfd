import { readFile } from 'node:fs/promises';
import ssh2, { type AuthMethod, type Client, type ConnectConfig } from 'ssh2';
import { HostUnreachableError } from '../../core/errors.js';
import { classify, type FailureContext } from './classify.js';
import { hostKeyReport, knownTypes, lookupName, recordKey, verify, type KnownHost } from './known-hosts.js';

/** Where and as whom to connect: the inventory's vars merged with ~/.ssh/config and the command line. */
export interface SshTarget {
  /** the inventory name, used in messages and reports */
  name: string;
  address: string;
  port: number;
  user: string;
  /** private key files, tried in order before the agent's keys */
  identityFiles: string[];
  /** a missing file among identityFiles is an error only when named explicitly */
  explicitIdentity: boolean;
  become: boolean;
}

export interface SshOptions {
  knownHosts: readonly KnownHost[];
  /** where `acceptNew` records first-seen keys */
  recordTo: string;
  acceptNew: boolean;
  connectTimeoutMs: number;
  /** ssh-agent socket ($SSH_AUTH_SOCK) */
  agent?: string;
  /** passphrase of encrypted keys */
  passphrase?: string;
  /** key exchange algorithms, e.g. ['curve25519-sha256'] */
  kex?: string[];
}

/** ssh2's names for the host key algorithms of a known_hosts key type. */
const HOST_KEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Connects and authenticates; every failure is a HostUnreachableError with its reason. */
export async function connect(
  target: SshTarget,
  opts: SshOptions,
  onLost: (err: HostUnreachableError) => void,
): Promise<Client> {
  const ctx: FailureContext = { host: target.name, ready: false, connectTimeoutMs: opts.connectTimeoutMs };
  const authHandler = await authMethods(target, opts).catch((err) => {
    throw new HostUnreachableError(target.name, 'auth', (err as Error).message);
  });
  const name = lookupName(target.address, target.port);
  // the recorded types first, as OpenSSH orders them, then every other: a host now offering only a key of another
  // type shows that key, and is told `hostkey-changed`, not a failed negotiation
  const preferred = knownTypes(opts.knownHosts, name).flatMap((t) => HOST_KEY_ALGOS[t] ?? []);
  const hostKeyAlgos = [...new Set([...preferred, ...Object.values(HOST_KEY_ALGOS).flat()])];
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    authHandler,
    readyTimeout: opts.connectTimeoutMs,
    keepaliveInterval: 15_000,
    keepaliveCountMax: 4,
    algorithms: {
      ...(preferred.length ? { serverHostKey: hostKeyAlgos as never } : {}),
      ...(opts.kex ? { kex: opts.kex as never } : {}),
    },
    hostVerifier: ((blob: Buffer, done: (ok: boolean) => void) => {
      ctx.hostKey = verify(opts.knownHosts, name, blob);
      if (ctx.hostKey !== 'known') ctx.hostKeyReport = hostKeyReport(opts.knownHosts, name, blob);
      if (ctx.hostKey !== 'unknown' || !opts.acceptNew) return done(ctx.hostKey === 'known');
      recordKey(opts.recordTo, name, blob).then(
        () => {
          ctx.hostKey = 'known';
          delete ctx.hostKeyReport;
          done(true);
        },
        () => done(false),
      );
    }) as never,
  };
  return new Promise((resolve, reject) => {
    client.on('error', (err) => {
      const classified = classify(err, ctx);
      if (ctx.ready) onLost(classified);
      else reject(classified);
    });
    client.on('close', () => {
      if (!ctx.ready) reject(classify(new Error('connection closed before the SSH session was ready'), ctx));
      else onLost(classify(new Error('connection closed by the remote side'), ctx));
    });
    client.on('ready', () => {
      ctx.ready = true;
      resolve(client);
    });
    client.connect(config);
  });
}

/** Key files first (each parsed here, so a bad or encrypted key says so), then the agent. */
async function authMethods(target: SshTarget, opts: SshOptions): Promise<AuthMethod[]> {
  const methods: AuthMethod[] = [];
  for (const file of target.identityFiles) {
    const key = await readKey(file, opts.passphrase, target.explicitIdentity);
    if (key)
      methods.push({
        type: 'publickey',
        username: target.user,
        key,
        ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
      } as AuthMethod);
  }
  if (opts.agent) methods.push({ type: 'agent', username: target.user, agent: opts.agent } as AuthMethod);
  if (methods.length === 0)
    throw new Error(
      'no private key to offer: give ansible_ssh_private_key_file, --private-key, an IdentityFile or SSH_AUTH_SOCK',
    );
  return methods;
}

const keyCache = new Map<string, Promise<Buffer | null>>();

async function readKey(file: string, passphrase: string | undefined, explicit: boolean): Promise<Buffer | null> {
  let pending = keyCache.get(file);
  if (!pending) keyCache.set(file, (pending = readFile(file).catch(() => null)));
  const data = await pending;
  if (data === null) {
    if (explicit) throw new Error(`identity file ${file}: cannot be read`);
    return null;
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) throw new Error(`identity file ${file}: ${parsed.message}`);
  return data;
}
