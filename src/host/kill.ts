import { sleep } from '../core/sleep.js';
import { sessionMembers } from './procfs.js';

/**
 * The timing of every TERM -> grace -> KILL: calls `left` (which may signal, and says what is still there)
 * until it returns nothing or `ms` passed, `pollMs` apart; returns what was left the last time.
 */
export async function untilGone<T>(left: () => Promise<T[]>, ms: number, pollMs = 100): Promise<T[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const still = await left();
    if (still.length === 0 || Date.now() >= deadline) return still;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}

/** Sends `signal` to `pid`; throws when it cannot (gone, or not ours to signal). */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  process.kill(pid, signal);
}

/** Sends `signal` to each pid; returns those it reached (the others were already gone). */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  });
}

/** SIGTERM to every process of the session, then SIGKILL to what is left after `graceMs`. Returns the pids signalled. */
export async function stopSession(
  sid: number,
  graceMs: number,
  pollMs = 100,
): Promise<{ terminated: number[]; killed: number[] }> {
  const terminated = signalAll(await sessionMembers(sid), 'SIGTERM');
  if (terminated.length) await untilGone(() => sessionMembers(sid), graceMs, pollMs);
  const killed = await killSession(sid);
  return { terminated, killed };
}

/** SIGKILL to every process of the session, again and again until none is left (one may fork meanwhile). */
export async function killSession(sid: number, pollMs = 50): Promise<number[]> {
  const killed = new Set<number>();
  await untilGone(
    async () => {
      const left = await sessionMembers(sid);
      for (const pid of signalAll(left, 'SIGKILL')) killed.add(pid);
      return left;
    },
    Infinity,
    pollMs,
  );
  return [...killed];
}
