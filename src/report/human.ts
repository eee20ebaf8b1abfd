import { checks } from '../checks/api.js';
import { planOf, type Result, type Status } from '../core/types.js';
import { auditTable, recap } from './audit.js';
import { auditSummary } from './audit-summary.js';
import { diffLines } from './diff-text.js';
import type { ReportDocument } from './document.js';
import { rowsOf } from './failure.js';
import { printable } from '../core/text.js';

const COLOURS: Record<Status, string> = {
  ok: '32',
  changed: '33',
  drift: '33',
  failed: '31',
  skipped: '90',
  unreachable: '35',
};

export interface HumanOptions {
  colour: boolean;
  /** print each drifted check's plan (check mode) */
  plans: boolean;
  /** audit: every host's details (the table, each host's results and plans, a recap), not only the summary */
  verbose?: boolean;
}

/** One line per check (status, id, summary), the plan under drifted checks, then a recap per host. */
export function renderHuman(doc: ReportDocument, opts: HumanOptions): string {
  const paint = (status: Status, text: string) => (opts.colour ? `\x1b[${COLOURS[status]}m${text}\x1b[0m` : text);
  const width = Math.max(8, ...doc.hosts.flatMap((h) => rowsOf(h).map((r) => r.check.length)));
  const audit = doc.command === 'audit';
  if (audit && !opts.verbose) return `${auditSummary(doc, paint).join('\n')}\n`;
  const lines: string[] = audit ? [...auditTable(doc, paint), ''] : [];
  for (const host of doc.hosts) {
    if (doc.hosts.length > 1) lines.push(printable(host.host));
    if (host.lock) lines.push(`note: ${printable(host.lock.summary)}`);
    if (host.pending) lines.push(`note: ${printable(host.pending.summary)}`);
    for (const r of rowsOf(host)) {
      // names, command lines and file contents in summaries are the build user's bytes: never raw on a terminal
      lines.push(`${paint(r.status, r.status.padEnd(11))} ${r.check.padEnd(width)}  ${printable(r.summary)}`);
      lines.push(...details(r, opts).map((l) => `${' '.repeat(14 + width)}${printable(l)}`));
    }
  }
  if (audit) lines.push('', ...recap(doc, paint));
  if (doc.diff) lines.push('', ...diffLines(doc.diff));
  const t = doc.tally;
  lines.push(
    `${doc.command}: ${t.ok} ok, ${t.drift} drift, ${t.changed} changed, ${t.failed} failed, ${t.skipped} skipped, ${t.unreachable} unreachable (exit ${doc.exitCode})`,
  );
  return `${lines.join('\n')}\n`;
}

function details(r: Result, opts: HumanOptions): string[] {
  const out = (r.warnings ?? []).map((w) => `warning: ${w}`);
  // a failed check's plan (check mode) is what apply would still do
  if (!opts.plans || (r.status !== 'drift' && r.status !== 'failed') || planOf(r) === undefined) return out;
  const explain = checks.get(r.check)?.explain;
  const plan = planOf(r);
  return [...out, ...(explain ? explain(plan) : [JSON.stringify(plan)])];
}
