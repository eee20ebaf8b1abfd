import type { Stats } from 'node:fs';
import type { FileType } from '../core/types.js';

/** What an lstat (or fstat) found, as runner's FileType. */
export function fileTypeOf(s: Stats): FileType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  if (s.isSocket()) return 'socket';
  if (s.isFIFO()) return 'fifo';
  if (s.isBlockDevice()) return 'block';
  if (s.isCharacterDevice()) return 'char';
  return 'unknown';
}

const KIND: Record<FileType, string> = {
  file: 'a regular file',
  dir: 'a directory',
  symlink: 'a symlink',
  socket: 'a socket',
  fifo: 'a FIFO',
  block: 'a block device',
  char: 'a character device',
  unknown: 'an unknown kind of file',
};

/** The same in words for messages: "a FIFO", "a directory". */
export function fileKind(s: Stats): string {
  return KIND[fileTypeOf(s)];
}
