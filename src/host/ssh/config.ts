import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { patternListMatches } from './known-hosts.js';

/** The subset of ~/.ssh/config that runner honours. */
export interface SshConfigEntry {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
}

interface Block {
  patterns: string[];
  options: [string, string][];
}

/** Parses `Host` blocks (keywords case-insensitive, `Key value` or `Key=value`); `Match` blocks are skipped. */
export function parseSshConfig(text: string): Block[] {
  const blocks: Block[] = [{ patterns: ['*'], options: [] }];
  let current: Block | undefined = blocks[0];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    if (key === 'host') blocks.push((current = { patterns: splitWords(value), options: [] }));
    else if (key === 'match') current = undefined;
    else current?.options.push([key, unquote(value)]);
  }
  return blocks;
}

/** First value wins, as in OpenSSH; IdentityFile accumulates. */
export function lookupSshConfig(blocks: readonly Block[], host: string): SshConfigEntry {
  const entry: SshConfigEntry = { identityFiles: [] };
  for (const block of blocks) {
    if (!patternListMatches(block.patterns, host)) continue;
    for (const [key, value] of block.options) {
      if (key === 'hostname') entry.hostName ??= value.replace(/%h/g, host);
      else if (key === 'user') entry.user ??= value;
      else if (key === 'port') entry.port ??= Number(value);
      else if (key === 'identityfile') entry.identityFiles.push(expandHome(value));
    }
  }
  return entry;
}

function splitWords(value: string): string[] {
  return value.split(/\s+/).filter(Boolean).map(unquote);
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? value.slice(1, -1) : value;
}

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}

/** ~/.ssh/config, or nothing when there is none. */
export function readUserSshConfig(file = `${homedir()}/.ssh/config`): Block[] {
  try {
    return parseSshConfig(readFileSync(file, 'utf8'));
  } catch {
    return parseSshConfig('');
  }
}
