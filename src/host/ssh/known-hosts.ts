import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { HostKeyReport } from '../../core/types.js';

/** One usable line of a known_hosts file, and where it is (reports name the line that disagrees). */
export interface KnownHost {
  patterns: string;
  type: string;
  key: Buffer;
  revoked: boolean;
  file: string;
  /** 1-based */
  line: number;
}

export type HostKeyVerdict = 'known' | 'unknown' | 'changed' | 'revoked';

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function lookupName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parses known_hosts text leniently: comments, blank and malformed lines and @cert-authority lines are skipped. */
export function parseKnownHosts(text: string, file = '(known_hosts text)'): KnownHost[] {
  const out: KnownHost[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) continue;
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
    if (marker === '@cert-authority') continue;
    const [patterns, type, b64] = fields;
    if (!patterns || !type || !b64) continue;
    out.push({ patterns, type, key: Buffer.from(b64, 'base64'), revoked: marker === '@revoked', file, line: i + 1 });
  }
  return out;
}

/** Does one entry's host field match `name`? Hashed (`|1|salt|hash`), globs, and `!` negations. */
export function entryMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) {
    const [, , salt, hash] = patterns.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return patternListMatches(patterns.split(','), name);
}

// every host of an audit is looked up in the same known_hosts: each pattern is compiled once
const compiled = new Map<string, RegExp>();

function patternRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    compiled.set(pattern, (re = new RegExp(`^${body}$`, 'i')));
  }
  return re;
}

/** OpenSSH pattern lists: `*` and `?` wildcards (brackets are literal), a `!` match vetoes the list. */
export function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    if (!patternRegExp(negated ? p.slice(1) : p).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return '';
  return blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1');
}

/** OpenSSH's rule: a matching entry with this key is known; any other key recorded for the name is a change. */
export function verify(entries: readonly KnownHost[], name: string, blob: Buffer): HostKeyVerdict {
  const mine = entries.filter((e) => entryMatches(e.patterns, name));
  if (mine.some((e) => e.revoked && e.key.equals(blob))) return 'revoked';
  if (mine.some((e) => !e.revoked && e.key.equals(blob))) return 'known';
  return mine.some((e) => !e.revoked) ? 'changed' : 'unknown';
}

/** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the key blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The presented key and the entries that disagree with it (revoked: the entries revoking it), for the report. */
export function hostKeyReport(entries: readonly KnownHost[], name: string, blob: Buffer): HostKeyReport {
  const mine = entries.filter((e) => entryMatches(e.patterns, name));
  const revoking = mine.filter((e) => e.revoked && e.key.equals(blob));
  const against = revoking.length ? revoking : mine.filter((e) => !e.revoked);
  return {
    type: keyType(blob),
    fingerprint: fingerprint(blob),
    recorded: against.map((e) => ({ file: e.file, line: e.line, type: e.type, fingerprint: fingerprint(e.key) })),
  };
}

/** The key types recorded for a name, so the handshake asks for a key we can check (as OpenSSH does). */
export function knownTypes(entries: readonly KnownHost[], name: string): string[] {
  return [...new Set(entries.filter((e) => !e.revoked && entryMatches(e.patterns, name)).map((e) => e.type))];
}

/** Reads every file that exists; a missing file is empty. */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHost[]> {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
  return texts.flatMap((t, i) => parseKnownHosts(t, files[i]));
}

/** Records a newly accepted key (accept-new), one line appended, like OpenSSH. */
export async function recordKey(file: string, name: string, blob: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${name} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
