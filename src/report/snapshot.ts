import type { Result } from '../core/types.js';

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
  counters: { iterations: number; retries: number; halts: number };
  last?: string;
}
