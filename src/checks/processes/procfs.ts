/**
 * What the probe reads from /proc beside ps. Every byte of a comm or an exe path is the build user's: the
 * framing is NUL (which neither can contain) and the pid always comes from the file name, never the contents.
 */

const STAT_NAME = /^\/proc\/(\d+)\/stat$/;
const PROC_DIR = /^\/proc\/(\d+)$/;

/**
 * `grep -aHZoE ')( [^ )]*){20}' /proc/[0-9]*\/stat`: `NAME\0) STATE … STARTTIME\n`, one record per file (a
 * comm of at most 15 bytes cannot hold 20 fields; its lines without them print nothing); a whole stat line, or
 * a comm's lines as records of the same NAME, read the same. Returns each pid's start time (field 22, clock
 * ticks since boot).
 */
export function parseStatRecords(out: string): Map<number, number> {
  const lines = new Map<number, string[]>();
  for (let pos = 0; pos < out.length; ) {
    const nul = out.indexOf('\0', pos);
    if (nul === -1) break;
    const nl = out.indexOf('\n', nul);
    const end = nl === -1 ? out.length : nl;
    const m = STAT_NAME.exec(out.slice(pos, nul));
    const parts = m ? lines.get(Number(m[1])) : undefined;
    if (parts) parts.push(out.slice(nul + 1, end));
    else if (m) lines.set(Number(m[1]), [out.slice(nul + 1, end)]);
    pos = end + 1;
  }
  const starts = new Map<number, number>();
  for (const [pid, parts] of lines) {
    const start = startTimeOf(parts.join('\n'));
    if (start !== undefined) starts.set(pid, start);
  }
  return starts;
}

/** Field 22 of /proc/PID/stat; the comm before it may hold `) ` and spaces, so fields count from the last `)`. */
export function startTimeOf(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close === -1) return undefined;
  // the 20th space-separated word after it, found without splitting all ~50 (a snapshot has one per process)
  const rest = stat.slice(close + 1).trim();
  let from = 0;
  for (let i = 0; i < 19; i++) {
    const space = rest.indexOf(' ', from);
    if (space === -1) return undefined;
    from = space + 1;
  }
  const end = rest.indexOf(' ', from);
  const word = rest.slice(from, end === -1 ? undefined : end);
  return /^\d+$/.test(word) ? Number(word) : undefined;
}

/**
 * `find /proc -mindepth 2 -maxdepth 2 -name exe -printf '%h\t%l\0'`: each pid's executable. An unreadable
 * link (another user's process, a kernel thread) is empty and left out; so is a deleted file, which is gone.
 */
export function parseExeRecords(records: readonly string[]): Map<number, string> {
  const exes = new Map<number, string>();
  for (const rec of records) {
    const tab = rec.indexOf('\t');
    const m = PROC_DIR.exec(rec.slice(0, tab));
    const exe = rec.slice(tab + 1);
    if (tab === -1 || !m || !exe.startsWith('/') || exe.endsWith(' (deleted)')) continue;
    exes.set(Number(m[1]), exe);
  }
  return exes;
}
