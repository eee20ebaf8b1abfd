import { createHash } from 'node:crypto';
import { byteLength, encodeBytes } from './bytes.js';

/** Suffix of a dir being deleted: a kill mid-delete leaves `<name>.deleteme`, removed by the next run. */
export const LEFTOVER_SUFFIX = '.deleteme';

/** Why a name from an untrusted source (a feed) cannot be used as one path component, or undefined if it can. */
export function unsafeName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'empty or a dot name';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/')) return 'is an absolute path';
  if (name.includes('/')) return "contains '/'";
  return undefined;
}

/** Longest name a Linux filesystem stores, in bytes. */
export const NAME_MAX = 255;

/**
 * The `.deleteme` name an entry is renamed to before it is deleted. A name too long for the suffix (a
 * 250-byte build dir) gets a shortened one with a hash of the whole name, so every name can be retired.
 */
export function trashName(name: string): string {
  const plain = `${name}${LEFTOVER_SUFFIX}`;
  if (byteLength(plain) <= NAME_MAX) return plain;
  const hash = createHash('sha256').update(encodeBytes(name)).digest('hex').slice(0, 16);
  return `${truncateToBytes(name, 200)}~${hash}${LEFTOVER_SUFFIX}`;
}

function truncateToBytes(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}
