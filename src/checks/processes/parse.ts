import { RunnerError } from '../../core/errors.js';
import { detach } from '../../core/text.js';
import { parseExeRecords, parseStatRecords } from './procfs.js';
import type { Baseline, BaselineEntry, Proc } from './schema.js';

/** The ps columns every reading asks for, in the order `parsePs` expects. */
export const PS_FIELDS = 'pid=,ppid=,pgid=,sid=,uid=,etimes=,stat=,args=';

// ps pads STAT to the widest value in its output, so the spaces before the command line vary: they are not part of it
const LINE = /^\s*(\d+)\s+(\d+)\s+(-?\d+)\s+(-?\d+)\s+(\d+)\s+(\d+)\s+(\S+)(?:\s+(.*))?$/;

/**
 * Parses `ps -ww -o PS_FIELDS` output, one process a line (ps shows a newline inside an argument as a space
 * and other control characters as '?'). Lines that do not fit, e.g. a process that vanished mid-read, are skipped.
 */
export function parsePs(stdout: string): Proc[] {
  const procs: Proc[] = [];
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    // fields by index, not destructured: an iterator result per field was most of this function's garbage
    procs.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      pgid: Number(m[3]),
      sid: Number(m[4]),
      uid: Number(m[5]),
      etimes: Number(m[6]),
      stat: m[7] as string,
      args: detach((m[8] ?? '').trimEnd()),
    });
  }
  return procs;
}

/**
 * The probe's output (SNAPSHOT_SCRIPT): its shell's pid on the first line, the passwd lines of the users asked
 * about, then after `\0\0` each the stat records, ps, and NUL-terminated records: the exe links, `real`, and
 * one realpath per allowed program. Neither grep -Z, ps nor find ever print two NULs in a row.
 */
export function parseSnapshot(stdout: string): { self: number; passwd: string; procs: Proc[]; real: string[] } {
  const nl = stdout.indexOf('\n');
  const first = stdout.slice(0, nl === -1 ? undefined : nl).trim();
  if (!/^\d+$/.test(first))
    throw new RunnerError(
      `reading processes: expected the probe's own pid first, got ${JSON.stringify(first.slice(0, 40))}`,
    );
  const seps = [stdout.indexOf('\0\0')];
  for (let i = 1; i < 3 && (seps[i - 1] as number) !== -1; i++)
    seps.push(stdout.indexOf('\0\0', (seps[i - 1] as number) + 2));
  const [a, b, c] = seps as [number, number, number];
  if (seps.length < 3 || c === -1)
    throw new RunnerError("reading processes: the probe's output ends before its ps part");
  const records = stdout.slice(c + 2).split('\0');
  const realAt = records.indexOf('real');
  if (realAt === -1) throw new RunnerError("reading processes: the probe's output ends before its exe part");
  const starts = parseStatRecords(stdout.slice(a + 2, b));
  const exes = parseExeRecords(records.slice(0, realAt));
  const procs = parsePs(stdout.slice(b + 2, c));
  for (const p of procs) withProcFs(p, starts.get(p.pid), exes.get(p.pid));
  // what outlives the parse is detached from the output: reports keep names and command lines till the end
  const passwd = detach(stdout.slice(nl + 1, a));
  return { self: Number(first), passwd, procs, real: records.slice(realAt + 1, -1).map(detach) };
}

/** Set on the fresh record itself: a spread copy allocated ~900 bytes per process, every snapshot. */
function withProcFs(p: Proc, start: number | undefined, exe: string | undefined): void {
  if (start !== undefined) p.start = start;
  if (exe !== undefined) p.exe = detach(exe);
}

export function isZombie(p: Proc): boolean {
  return p.stat.startsWith('Z');
}

const HEADER = "# runner processes baseline: the build users' processes when the machine was fresh";
const ENTRY = /^(\d+) (\d+) (".*")$/;

/** The baseline file: `users UID…`, then `COUNT UID "command line"` lines (the command line JSON-quoted). */
export function formatBaseline(b: Baseline, note: string): string {
  const sorted = [...b.entries].sort((x, y) => x.uid - y.uid || (x.args < y.args ? -1 : x.args > y.args ? 1 : 0));
  const lines = [HEADER, `# ${note}`, '# COUNT UID "COMMAND LINE"', `users ${b.uids.join(' ')}`];
  for (const e of sorted) lines.push(`${e.count} ${e.uid} ${JSON.stringify(e.args)}`);
  return `${lines.join('\n')}\n`;
}

/** Strict: our own format, so anything unexpected is corruption, reported with the path and line. */
export function parseBaseline(text: string, path: string): Baseline {
  let uids: number[] | undefined;
  const entries = new Map<string, BaselineEntry>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trimEnd();
    const where = `baseline ${path}:${i + 1}`;
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('users')) {
      if (uids) throw new RunnerError(`${where}: a second "users" line`);
      uids = parseUids(line, where);
      continue;
    }
    const e = parseEntry(line, where);
    const key = `${e.uid}\0${e.args}`;
    if (entries.has(key)) throw new RunnerError(`${where}: the same user and command line listed twice`);
    entries.set(key, e);
  }
  if (!uids) throw new RunnerError(`baseline ${path}: no "users UID…" line (not a runner baseline?)`);
  return { uids, entries: [...entries.values()] };
}

function parseUids(line: string, where: string): number[] {
  const words = line.split(' ').slice(1);
  if (words.length === 0 || !words.every((w) => /^\d+$/.test(w))) {
    throw new RunnerError(`${where}: expected "users" and one or more uids, got ${JSON.stringify(line.slice(0, 80))}`);
  }
  return words.map(Number);
}

function parseEntry(line: string, where: string): BaselineEntry {
  const m = ENTRY.exec(line);
  let args: unknown;
  try {
    args = m ? JSON.parse(m[3] as string) : undefined;
  } catch {
    args = undefined;
  }
  if (!m || typeof args !== 'string' || Number(m[1]) === 0) {
    throw new RunnerError(`${where}: expected COUNT UID "COMMAND LINE", got ${JSON.stringify(line.slice(0, 80))}`);
  }
  return { count: Number(m[1]), uid: Number(m[2]), args };
}

/** A pid file: one or more pids separated by whitespace; empty or anything else is an error naming path and line. */
export function parsePidFile(text: string, path: string): number[] {
  const pids: number[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    for (const word of line.trim().split(/\s+/).filter(Boolean)) {
      if (!/^\d+$/.test(word) || Number(word) < 2)
        throw new RunnerError(`pid file ${path}:${i + 1}: expected pids, got ${JSON.stringify(word.slice(0, 40))}`);
      pids.push(Number(word));
    }
  }
  if (pids.length === 0) throw new RunnerError(`pid file ${path} is empty: refusing to guess what it protects`);
  return pids;
}
