import type { Result, SpaceFact } from '../core/types.js';
import type { Histogram } from './histogram.js';

/** The daemon's states as operators see them (events, last_run.json, runner_state). */
export const STATES = [
  'preflight',
  'starting',
  'attached',
  'draining',
  'stopped',
  'postflight',
  'disabled',
  'failed',
  'halt',
  'exit',
] as const;
export type DaemonState = (typeof STATES)[number];

/** last_run.json: where the daemon is and what the current iteration did so far. */
export interface RunSnapshot {
  version: 1;
  pid: number;
  startedAt: string;
  updatedAt: string;
  iteration: number;
  state: DaemonState;
  since: string;
  /** duration of each phase of the current (or last) iteration */
  phases: Partial<Record<string, { startedAt: string; seconds?: number }>>;
  outcomes: { preflight?: Result[]; postflight?: Result[] };
  worker?: Record<string, unknown>;
  disabled: boolean;
  counters: {
    iterations: number;
    retries: number;
    halts: number;
    /** purge and temp, as measured */ reclaimedBytes?: number;
  };
  /** the last finished run of a phase's checks: when, and its exit code by the bits of `runner apply` */
  lastRun?: { phase: 'preflight' | 'postflight'; at: string; exitCode: number };
  /** free space purge measured last (after its fix) */
  space?: SpaceFact[];
  /** worker exit → next worker attached, kept across iterations */
  turnaround?: Histogram;
  /** when the last worker session ended (the start of a turnaround) */
  stoppedAt?: string;
  /** the last outcome of each check, kept across iterations (`outcomes` holds only the current one's) */
  checks?: Record<string, CheckOutcome>;
  /** what the daemon does next, and by when when it knows */
  next?: NextAction;
  last?: string;
}

export interface CheckOutcome {
  phase: 'preflight' | 'postflight';
  iteration: number;
  status: Result['status'];
  summary: string;
  at: string;
}

export interface NextAction {
  action: string;
  /** ISO time it happens by (a retry, the drain deadline, the attach timeout, the lock's end) */
  at?: string;
}
