import { closeSync, openSync, promises as fs, readSync } from 'node:fs';

/** The fields of /proc/PID/stat the daemon needs. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
}

/** Parses /proc/PID/stat; the command name (field 2) may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  const [state, ppid, pgrp, session] = [rest[0], Number(rest[1]), Number(rest[2]), Number(rest[3])];
  if (!Number.isInteger(pid) || !state || [ppid, pgrp, session].some((n) => !Number.isInteger(n))) return undefined;
  return { pid, state, ppid, pgrp, session };
}

const STAT_BUF = Buffer.alloc(4096);

/**
 * /proc/PID/stat in one small read: procfs files report size 0, so readFile() would allocate 64 KiB per
 * file, and a scan of every process in parallel would cost the daemon tens of MB of RSS each time.
 */
function readStat(pid: string | number): ProcStat | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
    const n = readSync(fd, STAT_BUF, 0, STAT_BUF.length, 0);
    return parseStat(STAT_BUF.toString('latin1', 0, n));
  } catch {
    return undefined; // gone meanwhile
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Every live process (zombies excluded: they are already dead and only wait to be reaped). */
export async function listProcesses(): Promise<ProcStat[]> {
  const names = (await fs.readdir('/proc')).filter((n) => /^\d+$/.test(n));
  return names.map(readStat).filter((s): s is ProcStat => s !== undefined && s.state !== 'Z' && s.state !== 'X');
}

/** The live processes of a session: the worker and everything it started, build steps in their own groups included. */
export async function sessionMembers(sid: number): Promise<number[]> {
  return (await listProcesses()).filter((p) => p.session === sid).map((p) => p.pid);
}

export async function isAlive(pid: number): Promise<boolean> {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** argv of a process, or undefined when it is gone or unreadable. */
export async function cmdlineOf(pid: number): Promise<string[] | undefined> {
  const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return raw === undefined ? undefined : raw.split('\0').filter(Boolean);
}

/** The working directory of a process, or undefined when it is gone or unreadable. */
export async function cwdOf(pid: number): Promise<string | undefined> {
  return fs.readlink(`/proc/${pid}/cwd`).catch(() => undefined);
}
