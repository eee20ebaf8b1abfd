import { exitCodeFor } from '../core/outcome.js';
import { rowsOf } from './failure.js';
import type { HostReport } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { Exposition, type Labels } from './exposition.js';
import { exposeBuildInfo, exposeChecks, exposeLastRun, exposePending, exposeSpace, spaceOf } from './run-metrics.js';

/**
 * `--format prometheus` (and `--textfile`) of check, apply and audit: the last run's series, `mode` the command.
 * An audit labels each host's series with `host` (the inventory name); `instance` stays the scraped target's.
 */
export function renderRunMetrics(doc: ReportDocument): string {
  const out = new Exposition();
  const mode = { mode: doc.command };
  const at = (Date.parse(doc.startedAt) + doc.durationMs) / 1000;
  exposeBuildInfo(out, mode);
  const perHost = doc.command === 'audit';
  for (const h of doc.hosts) exposeHost(out, perHost ? { ...mode, host: h.host } : mode, h, at);
  return out.text();
}

function exposeHost(out: Exposition, labels: Labels, h: HostReport, at: number): void {
  exposeLastRun(out, labels, at, exitCodeFor([h]));
  // a host that failed before its checks: one row named after the stage (connect, config), as the other reports
  exposeChecks(out, labels, rowsOf(h));
  exposeSpace(out, labels, spaceOf(h.results));
  exposePending(out, labels, h.pending?.bytes ?? 0);
}
