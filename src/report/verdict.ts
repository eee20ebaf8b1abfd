import { statusesOf } from '../core/outcome.js';
import type { HostReport, Status } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { failedBeforeChecks, rowsOf } from './failure.js';

/** What a whole host came to: its worst status (an interrupted host, or one whose checks all skipped, is `skipped`). */
export type HostVerdict = 'unreachable' | 'failed' | 'drift' | 'changed' | 'ok' | 'skipped';

/** Worst first: the exit code's bits, high to low. */
export const VERDICT_ORDER: readonly HostVerdict[] = ['unreachable', 'failed', 'drift', 'changed', 'ok', 'skipped'];

export function hostVerdict(h: HostReport): HostVerdict {
  const statuses: Status[] = [...statusesOf(h), ...(h.failure?.reason !== undefined ? ['unreachable' as const] : [])];
  for (const v of VERDICT_ORDER.slice(0, 4)) if (statuses.includes(v)) return v;
  return statuses.includes('ok') ? 'ok' : 'skipped';
}

/** Hosts per verdict, every verdict present (zeros included). */
export function hostCounts(doc: ReportDocument): Record<HostVerdict, number> {
  const n = Object.fromEntries(VERDICT_ORDER.map((v) => [v, 0])) as Record<HostVerdict, number>;
  for (const h of doc.hosts) n[hostVerdict(h)] += 1;
  return n;
}

/** The checks of a document, in first-seen order. */
export function checkIds(doc: ReportDocument): string[] {
  return [...new Set(doc.hosts.flatMap((h) => h.results.map((r) => r.check)))];
}

/** Per check, how many hosts had each status; a host that failed before its checks counts its failure for every check. */
export function checkCounts(doc: ReportDocument): Map<string, Record<Status, number>> {
  const ids = checkIds(doc);
  const out = new Map(ids.map((id) => [id, zeroTally()]));
  for (const h of doc.hosts) {
    const before = failedBeforeChecks(h) ? rowsOf(h)[0]?.status : undefined;
    for (const id of ids) {
      const status = before ?? h.results.find((r) => r.check === id)?.status;
      if (status) (out.get(id) as Record<Status, number>)[status] += 1;
    }
  }
  return out;
}

function zeroTally(): Record<Status, number> {
  return { ok: 0, drift: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 };
}
