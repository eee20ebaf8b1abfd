import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  entryMatches,
  fingerprint,
  hostKeyReport,
  keyType,
  knownTypes,
  lookupName,
  parseKnownHosts,
  verify,
} from '../../src/host/ssh/known-hosts.js';
import { hashedKnownHostsLine } from '../helpers/sshd.js';
import { sandbox } from '../helpers/tmp.js';

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIE1s1P0kCDWeYhXq6QRIqZl0tF2JBv4Qh4rW7KMYdB3a';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIOHhIvV3xJ3JpEo9jvNlaYz0C1W2FJp5i3h7v4t1bQ2x';
const dir = sandbox('runner-kh-');
const blob = (b64: string) => Buffer.from(b64, 'base64');

describe('host/ssh/known-hosts', () => {
  it('names hosts as OpenSSH looks them up', () => {
    expect(lookupName('bld-01', 22)).toBe('bld-01');
    expect(lookupName('127.0.0.2', 2222)).toBe('[127.0.0.2]:2222');
  });

  it('reads the key type from the blob', () => {
    expect(keyType(blob(KEY_A))).toBe('ssh-ed25519');
  });

  it('known, changed, unknown and revoked, as OpenSSH decides', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        '',
        'garbage',
        `bld-01,bld-01.example.net ssh-ed25519 ${KEY_A} comment`,
        `[127.0.0.2]:2222 ssh-ed25519 ${KEY_A}`,
        `@revoked bld-02 ssh-ed25519 ${KEY_B}`,
        `@cert-authority *.example.net ssh-ed25519 ${KEY_B}`,
      ].join('\n'),
    );
    expect(verify(entries, 'bld-01.example.net', blob(KEY_A))).toBe('known');
    expect(verify(entries, 'bld-01', blob(KEY_B))).toBe('changed');
    expect(verify(entries, '[127.0.0.2]:2222', blob(KEY_A))).toBe('known');
    expect(verify(entries, '127.0.0.2', blob(KEY_A))).toBe('unknown');
    expect(verify(entries, 'bld-02', blob(KEY_B))).toBe('revoked');
    expect(verify(entries, 'bld-03.example.net', blob(KEY_B))).toBe('unknown');
    expect(knownTypes(entries, 'bld-01')).toEqual(['ssh-ed25519']);
  });

  it('matches hashed entries written by ssh-keygen -H, and wildcard and negated patterns', () => {
    const [hashed] = parseKnownHosts(
      hashedKnownHostsLine({ address: '127.0.0.7', port: 2201, hostKey: `ssh-ed25519 ${KEY_A}` }),
    );
    expect(hashed?.patterns.startsWith('|1|')).toBe(true);
    expect(verify(hashed ? [hashed] : [], '[127.0.0.7]:2201', blob(KEY_A))).toBe('known');
    expect(verify(hashed ? [hashed] : [], '[127.0.0.7]:2202', blob(KEY_A))).toBe('unknown');
    expect(entryMatches('*.example.net,!bad.example.net', 'bld-9.example.net')).toBe(true);
    expect(entryMatches('*.example.net,!bad.example.net', 'bad.example.net')).toBe(false);
    expect(entryMatches('bld-0?', 'bld-07')).toBe(true);
  });
});

describe('host/ssh/known-hosts reports', () => {
  it('fingerprints as ssh-keygen -l does, and names the file and line of each disagreeing entry', () => {
    const entries = parseKnownHosts(
      [
        '# c',
        `bld-01 ssh-ed25519 ${KEY_A}`,
        `bld-01 ssh-ed25519 ${KEY_B}`,
        `@revoked bld-02 ssh-ed25519 ${KEY_B}`,
      ].join('\n'),
      '/etc/ssh/ssh_known_hosts',
    );
    const report = hostKeyReport(entries, 'bld-01', blob(KEY_B));
    expect(report.fingerprint).toBe(fingerprint(blob(KEY_B)));
    expect(report.recorded.map((r) => [r.file, r.line])).toEqual([
      ['/etc/ssh/ssh_known_hosts', 2],
      ['/etc/ssh/ssh_known_hosts', 3],
    ]);
    expect(hostKeyReport(entries, 'bld-02', blob(KEY_B)).recorded).toMatchObject([{ line: 4 }]);
    const pub = join(dir, 'k.pub');
    writeFileSync(pub, `ssh-ed25519 ${KEY_A} x\n`);
    expect(execFileSync('ssh-keygen', ['-l', '-f', pub], { encoding: 'utf8' }).split(' ')[1]).toBe(
      fingerprint(blob(KEY_A)),
    );
  });
});
