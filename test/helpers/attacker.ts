import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./attacker.py', import.meta.url));

// inotify event bits (linux/inotify.h)
export const IN_ACCESS = 0x1;
export const IN_CLOSE_NOWRITE = 0x10;
export const IN_OPEN = 0x20;

export interface Owner {
  uid: number;
  gid: number;
}

/** A path and the build user's symlink to swap it with; `real` is where rename(2) parks the dir meanwhile. */
export interface SwapPair {
  path: string;
  link: string;
  real?: string;
}

/** One step of a timed attack, done as `uid`: swap two names, write a file, or set an mtime (ns). */
export type Action =
  | ({ op: 'exchange'; path: string; with: string } & Owner)
  | ({ op: 'write'; path: string; data?: string } & Owner)
  | ({ op: 'utime'; path: string; ns: number } & Owner);

export interface Racer {
  /** stops it and returns what it did */
  stop(): Promise<RacerStats>;
}

export interface RacerStats {
  swaps: number;
  fired: number;
  errors: number;
}

/** The build user swapping each pair's path for its symlink in a loop for as long as it runs (rename(2) or renameat2 exchange). */
export function spinningSwapper(user: Owner, pairs: SwapPair[], how: 'rename' | 'exchange' = 'rename'): Promise<Racer> {
  return start({ mode: 'spin', ...user, pairs, how });
}

/** Runs `actions` once, on the `nth` inotify event in `mask` on entry `name` of `dir` ('' for the dir itself). */
export function onInotify(opts: {
  dir: string;
  name: string;
  mask: number;
  nth?: number;
  delayMs?: number;
  actions: Action[];
}): Promise<Racer> {
  return start({ mode: 'watch', ...opts });
}

/** Runs `fn` while `racer` runs; stops it whatever happens; its result and the racer's stats. */
export async function underAttack<T>(racer: Racer, fn: () => Promise<T>): Promise<[T, RacerStats]> {
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await racer.stop().catch(() => undefined);
    throw err;
  }
  return [result, await racer.stop()];
}

async function start(spec: object): Promise<Racer> {
  // python3 from Debian (installed with mercurial): the racer drops to the build user itself
  const proc = spawn('/usr/bin/python3', [SCRIPT, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await until(
    () => out.startsWith('ready\n'),
    exited,
    () => `racer did not start: ${err}`,
  );
  return {
    async stop() {
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null && proc.signalCode === null) kill(proc);
      await exited;
      const last = out.trim().split('\n').pop() ?? '';
      if (!last.startsWith('{')) throw new Error(`racer ended without its stats: ${err}`);
      return JSON.parse(last);
    },
  };
}

function kill(proc: ChildProcess): void {
  proc.kill('SIGKILL');
}

async function until(ready: () => boolean, exited: Promise<void>, why: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 200 && !ready(); i++) {
    if (gone) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!ready()) throw new Error(why());
}
