/** A working-dir entry as `find -printf '%y %s %T@ %m %P\0'` lists it (lstat: a symlink is never followed). */
export interface Listed {
  /** find's %y: f regular file, l symlink, p FIFO, d directory (only a nested `.hg` is listed) … */
  type: string;
  size: number;
  /** whole seconds, rounded down as hg does (`st_mtime_ns // 10**9`) */
  mtime: number;
  perm: number;
}

const RECORD = /^([a-zA-Z]) (\d+) (-?)(\d+)(?:\.(\d+))? ([0-7]+) (.+)$/s;

/**
 * The listing the facts script prints (records ended by NUL, each name last, so no byte of a name reads as
 * structure), closed by `end STATUS` with find's exit status: path → entry, or why it cannot be used
 * (cut at the cap, find failed or met an unreadable dir, a nested `.hg`).
 */
export function listedFiles(text: string): Map<string, Listed> | string {
  const records = text.split('\0');
  if (records.pop() !== '' || records.pop() !== 'end 0') return 'the working dir listing is incomplete';
  const files = new Map<string, Listed>();
  for (const record of records) {
    const m = RECORD.exec(record);
    if (!m) return 'a working dir listing record not understood';
    const [, type, size, minus, secs, frac, perm, name] = m as unknown as string[];
    if (name === '.hg' || (name as string).endsWith('/.hg')) return 'a nested .hg';
    if (files.has(name as string)) return 'a name listed twice';
    const whole = Number(secs);
    const mtime = minus ? -whole - (/[1-9]/.test(frac ?? '') ? 1 : 0) : whole;
    files.set(name as string, { type: type as string, size: Number(size), mtime, perm: parseInt(perm as string, 8) });
  }
  return files;
}
