import { randomBytes } from 'node:crypto';
import { constants, promises as fs, type Stats } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { execa } from 'execa';
import type { CommandResult, DirEntry, FileStat, FileType, Host, RemoveResult, RunOptions } from '../core/types.js';
import { asUser } from './become.js';
import { parseDiskUsage, removeArgv, diskUsageArgv, unlockDirsArgv } from './commands.js';

/** The machine runner itself runs on: execa for commands, node:fs for files. */
export class LocalHost implements Host {
  readonly transport = 'local';
  constructor(readonly name = 'localhost') {}

  async run(file: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    const [cmd, ...argv] = opts.user ? asUser(opts.user, isRoot(), [file, ...args]) : [file, ...args];
    const r = await execa(cmd as string, argv, {
      reject: false,
      cwd: opts.cwd,
      timeout: opts.timeoutMs,
      input: opts.input,
      env: opts.env,
      stdin: opts.input === undefined ? 'ignore' : 'pipe',
      stripFinalNewline: false,
      killSignal: 'SIGKILL',
    });
    const stderr = r.stderr || (r.exitCode === undefined && !r.signal ? (r.originalMessage ?? r.message ?? '') : '');
    return { exitCode: r.exitCode, stdout: r.stdout, stderr, timedOut: r.timedOut, signal: r.signal };
  }

  async lstat(path: string): Promise<FileStat | null> {
    return missingAsNull(async () => toStat(await fs.lstat(path)));
  }

  async readdir(path: string): Promise<DirEntry[] | null> {
    const names = await missingAsNull(() => fs.readdir(path));
    if (names === null) return null;
    const entries = await Promise.all(names.map(async (name) => {
      const st = await this.lstat(join(path, name));
      return st && { name, ...st };
    }));
    return entries.filter((e): e is DirEntry => e !== null);
  }

  async readFile(path: string): Promise<string | null> {
    return missingAsNull(() => fs.readFile(path, 'utf8'));
  }

  async writeFile(path: string, data: string, opts: { mode?: number } = {}): Promise<void> {
    const tmp = join(dirname(path), `.${basename(path)}.runner-${process.pid}-${randomBytes(4).toString('hex')}`);
    const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, opts.mode ?? 0o644);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path).catch(async (err: unknown) => {
      await fs.rm(tmp, { force: true });
      throw err;
    });
  }

  async rename(from: string, to: string): Promise<void> {
    await fs.rename(from, to);
  }

  async remove(path: string): Promise<RemoveResult> {
    return (await this.removeAll([path]))[0] as RemoveResult;
  }

  async removeAll(paths: readonly string[]): Promise<RemoveResult[]> {
    const stats = await Promise.all(paths.map(async (p) => [await this.lstat(p), await this.lstat(dirname(p))] as const));
    const refused = new Map<string, string>();
    for (const [i, [self, parent]] of stats.entries()) {
      const p = paths[i] as string;
      if (self && parent && self.type === 'dir' && self.dev !== parent.dev) refused.set(p, `${p} is a mount point: not removed`);
    }
    const todo = paths.filter((p, i) => stats[i]?.[0] && !refused.has(p));
    let stderr = await this.rmAll(todo);
    if (stderr) {
      // read-only dirs inside the tree (e.g. from chmod -w in a build) block unlinking their entries
      await this.run('find', unlockDirsArgv(todo));
      stderr = await this.rmAll(todo);
    }
    return Promise.all(paths.map((p, i) => this.outcome(p, stats[i]?.[0] ?? null, refused.get(p), stderr)));
  }

  /** Several rm side by side: unlinking is bound by per-directory locks and latency, not one core (bench/local). */
  private async rmAll(paths: readonly string[]): Promise<string> {
    const lanes = Array.from({ length: Math.min(RM_LANES, paths.length) }, (_, lane) => paths.filter((_, i) => i % RM_LANES === lane));
    return (await Promise.all(lanes.map((lane) => this.rmLane(lane)))).join('');
  }

  private async rmLane(paths: readonly string[]): Promise<string> {
    let stderr = '';
    for (const chunk of chunks(paths, 500)) {
      const r = await this.run('rm', removeArgv(chunk));
      if (r.exitCode !== 0) stderr += r.stderr || `rm exited ${r.exitCode}\n`;
    }
    return stderr;
  }

  private async outcome(path: string, before: FileStat | null, refused: string | undefined, stderr: string): Promise<RemoveResult> {
    if (before === null) return { removed: false };
    if (refused) return { removed: false, error: refused };
    if ((await this.lstat(path)) === null) return { removed: true };
    const mine = stderr.split('\n').filter((l) => l.includes(`'${path}`)).slice(0, 3).join('; ');
    return { removed: false, error: mine || `${path} still exists` };
  }

  async diskUsage(paths: readonly string[]): Promise<Map<string, number>> {
    if (paths.length === 0) return new Map();
    const r = await this.run('du', diskUsageArgv(paths));
    return parseDiskUsage(r.stdout, paths);
  }

  async freeBytes(path: string): Promise<number> {
    const s = await fs.statfs(path);
    return s.bavail * s.bsize;
  }

  async close(): Promise<void> {}
}

/** rm processes at once in removeAll: 4 deleted a 20,000-file tree 1.5× as fast as one on ext4. */
const RM_LANES = 4;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function missingAsNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

function toStat(s: Stats): FileStat {
  return { type: typeOf(s), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid, dev: s.dev, ino: s.ino };
}

function typeOf(s: Stats): FileType {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'dir';
  if (s.isFile()) return 'file';
  if (s.isSocket()) return 'socket';
  if (s.isFIFO()) return 'fifo';
  if (s.isBlockDevice()) return 'block';
  if (s.isCharacterDevice()) return 'char';
  return 'unknown';
}
