import { dirname } from 'node:path/posix';
import type { DirEntry, FileStat, FileType } from '../../core/types.js';
import { removeArgv, unlockDirsArgv } from '../commands.js';
import { commandLine, quoteArg } from '../quote.js';

/**
 * lstat data in one `find -printf` record per file: type dev ino mode uid gid size mtime name, NUL-terminated.
 * One remote command answers for a whole directory, where SFTP would need a call per entry and has no dev/ino.
 */
const FORMAT = '%y %D %i %m %U %G %s %T@ %P\\0';

const TYPES: Record<string, FileType> = {
  f: 'file',
  d: 'dir',
  l: 'symlink',
  s: 'socket',
  p: 'fifo',
  b: 'block',
  c: 'char',
};

/** find takes a leading `-` as an expression, so relative paths get `./`. */
function findPath(path: string): string {
  return quoteArg(path.startsWith('/') ? path : `./${path}`);
}

function exists(path: string): string {
  return `{ [ -e ${quoteArg(path)} ] || [ -h ${quoteArg(path)} ]; }`;
}

/** A script as one subshell of the long-lived remote shell: a fork, where `sh -c` would also exec a new sh. */
function subshell(script: string): string {
  return `(${script}\n)`;
}

/** Prints nothing when the path does not exist (or a component is not a dir), else its record. */
export function lstatCommand(path: string): string {
  return subshell(`if ${exists(path)}; then exec find ${findPath(path)} -maxdepth 0 -printf '${FORMAT}'; fi`);
}

/** `D` then one record per entry; nothing when the path is not a directory. Like readdir(3), follows `path` itself. */
export function readdirCommand(path: string): string {
  const q = quoteArg(path);
  return subshell(
    `if [ -d ${q} ]; then printf 'D\\0'; exec find -H ${findPath(path)} -mindepth 1 -maxdepth 1 -printf '${FORMAT}'; fi`,
  );
}

/** Parses records; lenient about a trailing empty chunk. */
export function parseRecords(stdout: string): DirEntry[] {
  const out: DirEntry[] = [];
  for (const rec of stdout.split('\0')) {
    if (rec === '') continue;
    const fields = rec.split(' ');
    if (fields.length < 9) throw new Error(`unexpected find output: ${JSON.stringify(rec.slice(0, 200))}`);
    const [y, dev, ino, mode, uid, gid, size, mtime] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const stat: FileStat = {
      type: TYPES[y] ?? 'unknown',
      size: Number(size),
      mtimeMs: mtimeMsOf(mtime),
      mode: parseInt(mode, 8),
      uid: Number(uid),
      gid: Number(gid),
      dev: Number(dev),
      ino: Number(ino),
    };
    out.push({ name: fields.slice(8).join(' '), ...stat });
  }
  return out;
}

/** `%T@` is "sec.fraction"; computed exactly as Node computes `mtimeMs`, so local and remote plans agree. */
export function mtimeMsOf(text: string): number {
  const [sec = '0', frac = ''] = text.split('.');
  const nsec = Number(frac.padEnd(9, '0').slice(0, 9));
  return Number(sec) * 1000 + (sec.startsWith('-') ? -nsec : nsec) / 1e6;
}

/**
 * The whole of LocalHost.remove in one remote command: refuse a mount point (dev differs from the parent's),
 * rm --one-file-system, unlock read-only dirs and retry, then report `removed`, `mount` or `remaining`.
 */
export function removeCommand(path: string): string {
  const parent = dirname(path);
  const rm = `rm ${commandLine(removeArgv([path]))}`;
  const unlock = `find ${commandLine(unlockDirsArgv([path.startsWith('/') ? path : `./${path}`]))}`;
  const devOf = (p: string) => `$(find ${findPath(p)} -maxdepth 0 -printf %D)`;
  const isDir = `[ -d ${quoteArg(path)} ] && [ ! -h ${quoteArg(path)} ]`;
  const script = [
    `${exists(path)} || exit 0`,
    `if ${isDir} && ${exists(parent)} && [ "${devOf(path)}" != "${devOf(parent)}" ]; then printf mount; exit 0; fi`,
    `${rm} || { ${isDir} && ${unlock}; ${rm}; }`,
    `if ${exists(path)}; then printf remaining; else printf removed; fi`,
  ].join('\n');
  return subshell(script);
}

/**
 * At most `max + 1` bytes of a regular file, never through a symlink (last component: `iflag=nofollow`; on the
 * way: `cd -P` must land in the dir itself) and never waiting on a FIFO (`nonblock`). Exit 3: it does not exist;
 * 4: a symlink on the way; 5: it is a symlink; 6: not a regular file (its type on stderr).
 */
export function readFileCommand(path: string, max: number): string {
  return subshell(
    [
      `p=${quoteArg(path)}; d=\${p%/*}; d=\${d:-/}`,
      `{ [ -e "$p" ] || [ -h "$p" ]; } || exit 3`,
      // cd -P sets PWD to the physical path (POSIX), as `pwd -P` would print it: no command substitution, no fork
      `{ cd -P -- "$d" 2>/dev/null && [ "$PWD" = "$d" ]; } || exit 4`,
      `[ ! -h "$p" ] || exit 5`,
      `[ -f "$p" ] || { stat -c %F -- "$p" >&2; exit 6; }`,
      `exec dd if="$p" iflag=nofollow,nonblock,count_bytes,fullblock bs=65536 count=${max + 1} status=none`,
    ].join('\n'),
  );
}

/** What an exit of readFileCommand means, as LocalHost says it. */
export const READ_REFUSALS: Record<number, (path: string, stderr: string) => string> = {
  4: (p) => `${p}: a directory on the way is a symlink: runner never follows one here`,
  5: (p) => `${p} is a symlink: runner never follows one here`,
  6: (p, stderr) => `${p} is ${stderr.trim() || 'not a regular file'}, not a regular file: not read`,
};

/** statfs of the filesystem holding `path`: f_bavail and f_bsize, as LocalHost.freeBytes multiplies them. */
export function freeBytesCommand(path: string): string {
  return subshell(`exec stat -f -c '%a %s' -- ${quoteArg(path)}`);
}

/** The answer of freeBytesCommand in bytes. */
export function parseFreeBytes(stdout: string): number {
  const [avail, bsize] = stdout.trim().split(' ').map(Number);
  if (!Number.isSafeInteger(avail) || !Number.isSafeInteger(bsize))
    throw new Error(`unexpected stat -f output: ${JSON.stringify(stdout.slice(0, 100))}`);
  return (avail as number) * (bsize as number);
}

/** `run` without stdin, as a subshell of the long-lived shell: the same line an exec channel would run. */
export function runCommand(line: string): string {
  return subshell(line);
}
