import { dirname } from 'node:path/posix';
import type { DirEntry, FileStat, FileType } from '../../core/types.js';
import { removeArgv, unlockDirsArgv } from '../commands.js';
import { commandLine, quoteArg } from '../quote.js';

/**
 * lstat data in one `find -printf` record per file: type dev ino mode uid gid size mtime name, NUL-terminated.
 * One remote command answers for a whole directory, where SFTP would need a call per entry and has no dev/ino.
 */
const FORMAT = '%y %D %i %m %U %G %s %T@ %P\\0';

const TYPES: Record<string, FileType> = { f: 'file', d: 'dir', l: 'symlink', s: 'socket', p: 'fifo', b: 'block', c: 'char' };

/** find takes a leading `-` as an expression, so relative paths get `./`. */
function findPath(path: string): string {
  return quoteArg(path.startsWith('/') ? path : `./${path}`);
}

function exists(path: string): string {
  return `{ [ -e ${quoteArg(path)} ] || [ -h ${quoteArg(path)} ]; }`;
}

/** Prints nothing when the path does not exist (or a component is not a dir), else its record. */
export function lstatCommand(path: string): string {
  return commandLine(['sh', '-c', `if ${exists(path)}; then exec find ${findPath(path)} -maxdepth 0 -printf '${FORMAT}'; fi`]);
}

/** `D` then one record per entry; nothing when the path is not a directory. Like readdir(3), follows `path` itself. */
export function readdirCommand(path: string): string {
  const q = quoteArg(path);
  return commandLine(['sh', '-c', `if [ -d ${q} ]; then printf 'D\\0'; exec find -H ${findPath(path)} -mindepth 1 -maxdepth 1 -printf '${FORMAT}'; fi`]);
}

/** Parses records; lenient about a trailing empty chunk. */
export function parseRecords(stdout: string): DirEntry[] {
  const out: DirEntry[] = [];
  for (const rec of stdout.split('\0')) {
    if (rec === '') continue;
    const fields = rec.split(' ');
    if (fields.length < 9) throw new Error(`unexpected find output: ${JSON.stringify(rec.slice(0, 200))}`);
    const [y, dev, ino, mode, uid, gid, size, mtime] = fields as [string, string, string, string, string, string, string, string];
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
  return commandLine(['sh', '-c', script]);
}
