/** `find -printf` format: type, device, inode, uid, mtime (s.fraction), 512-byte blocks, path; NUL-terminated. */
export const FIND_FORMAT = '%y %D %i %U %T@ %b %p\\0';

/** One entry as `find -P -xdev -printf FIND_FORMAT` reports it (never following symlinks). */
export interface Found {
  /** find's %y letter: f d l s p b c D */
  type: string;
  dev: number;
  ino: number;
  uid: number;
  mtimeMs: number;
  bytes: number;
  path: string;
}

const RECORD = /^(\S) (\d+) (\d+) (\d+) (\d+(?:\.\d+)?) (\d+) (\/[\s\S]*)$/;

/** Parses NUL-terminated records; paths may hold spaces and newlines. Records that do not fit are skipped. */
export function parseFind(stdout: string): Found[] {
  const out: Found[] = [];
  for (const rec of stdout.split('\0')) {
    const m = RECORD.exec(rec);
    if (!m) continue;
    out.push({
      type: m[1] as string,
      dev: Number(m[2]),
      ino: Number(m[3]),
      uid: Number(m[4]),
      mtimeMs: Math.round(Number(m[5]) * 1000),
      bytes: Number(m[6]) * 512,
      path: m[7] as string,
    });
  }
  return out;
}

/** The start points each stderr line of find is about; a line naming none of them concerns them all. */
export function findErrors(stderr: string, starts: readonly string[]): Map<string, string> {
  const errors = new Map<string, string>();
  for (const line of stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const named = starts.filter((s) => line.includes(s));
    for (const s of named.length ? named : starts) if (!errors.has(s)) errors.set(s, line);
  }
  return errors;
}

export const FIND_TYPES: Record<string, string> = {
  f: 'file',
  d: 'dir',
  l: 'symlink',
  s: 'socket',
  p: 'fifo',
  b: 'block device',
  c: 'char device',
  D: 'door',
};
