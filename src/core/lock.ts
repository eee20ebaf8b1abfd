import type { Host, LockNote } from './types.js';
import { formatDuration } from './units.js';

/**
 * The disable lock (`runner disable` / `runner enable`): a small JSON file. The daemon, `runner check`
 * and `runner audit` (through Host, over SSH) all read it with the same pure parser below.
 */
export interface Lock {
  reason: string;
  /** user@host that wrote it */
  by: string;
  since: string;
  /** ISO time it ends by itself; absent = until `runner enable` */
  until?: string;
}

export type LockStatus =
  | { state: 'none' }
  | { state: 'active'; lock: Lock }
  | { state: 'expired'; lock: Lock }
  /** present but unreadable: treated as disabled, so a damaged lock never lets a worker start by accident */
  | { state: 'invalid'; error: string };

export function makeLock(reason: string, by: string, now: Date, forMs?: number): Lock {
  const lock: Lock = { reason, by, since: now.toISOString() };
  return forMs === undefined ? lock : { ...lock, until: new Date(now.getTime() + forMs).toISOString() };
}

export function formatLock(lock: Lock): string {
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** The status of a lock file's text (null: no file) at `now`. Pure. */
export function parseLock(text: string | null, now: Date): LockStatus {
  if (text === null) return { state: 'none' };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { state: 'invalid', error: `not JSON: ${(err as Error).message}` };
  }
  const lock = asLock(raw);
  if (typeof lock === 'string') return { state: 'invalid', error: lock };
  if (lock.until !== undefined && Date.parse(lock.until) <= now.getTime()) return { state: 'expired', lock };
  return { state: 'active', lock };
}

function asLock(raw: unknown): Lock | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'expected a JSON object';
  const o = raw as Record<string, unknown>;
  for (const key of ['reason', 'by', 'since'] as const) {
    if (typeof o[key] !== 'string') return `field '${key}' must be a string`;
  }
  if (Number.isNaN(Date.parse(o.since as string))) return `field 'since' is not a time: ${JSON.stringify(o.since)}`;
  if (o.until !== undefined && (typeof o.until !== 'string' || Number.isNaN(Date.parse(o.until)))) {
    return `field 'until' is not a time: ${JSON.stringify(o.until)}`;
  }
  const lock: Lock = { reason: o.reason as string, by: o.by as string, since: o.since as string };
  return o.until === undefined ? lock : { ...lock, until: o.until as string };
}

/** True when the worker must not start. */
export function holdsBack(status: LockStatus): boolean {
  return status.state === 'active' || status.state === 'invalid';
}

/** One line for people: "disabled by root@bld-01 since …, for 1h more: reason". */
export function describeLock(status: LockStatus, path: string, now: Date): string {
  switch (status.state) {
    case 'none':
      return 'enabled';
    case 'invalid':
      return `disabled: the lock ${path} is unreadable (${status.error}); fix or remove it with runner enable`;
    case 'expired':
      return `enabled: the lock ${path} expired at ${status.lock.until} (${status.lock.reason})`;
    case 'active': {
      const { lock } = status;
      const left =
        lock.until === undefined
          ? 'until runner enable'
          : `for ${formatDuration(Date.parse(lock.until) - now.getTime())} more`;
      return `disabled by ${lock.by} since ${lock.since}, ${left}: ${lock.reason}`;
    }
  }
}

export async function readLock(host: Host, path: string, now: Date): Promise<LockStatus> {
  return parseLock(await host.readFile(path), now);
}

/** The lock of a host as a report note, or undefined when it has none. */
export async function lockNote(host: Host, path: string, now: Date): Promise<LockNote | undefined> {
  const status = await readLock(host, path, now);
  return status.state === 'none' ? undefined : { path, ...status, summary: describeLock(status, path, now) };
}
