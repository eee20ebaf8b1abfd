import { unreachableMessage } from '../core/errors.js';
import { failureStatus } from '../core/outcome.js';
import type { HostFailure, HostReport, Result } from '../core/types.js';

/** A host's failure in words: "bld-01 unreachable: timeout: …" when unreachable, else its detail. */
export function failureText(host: string, f: HostFailure): string {
  return f.reason === undefined ? f.detail : unreachableMessage(host, f.reason, f.detail);
}

/** The failure of a host that never got to its checks; undefined when it has results. */
export function failedBeforeChecks(h: HostReport): HostFailure | undefined {
  return h.results.length === 0 ? h.failure : undefined;
}

/** The rows a host shows: its results, or for a host that failed before them one row named after the stage. */
export function rowsOf(h: HostReport): Result[] {
  const f = failedBeforeChecks(h);
  if (!f) return h.results;
  return [{ check: f.stage, status: failureStatus(f), summary: failureText(h.host, f), durationMs: 0 }];
}
