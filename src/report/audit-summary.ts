import { failureStatus, STATUSES } from '../core/outcome.js';
import type { HostReport, Result, Status } from '../core/types.js';
import { printable } from '../core/text.js';
import type { Paint } from './audit.js';
import type { ReportDocument } from './document.js';
import { diffLines } from './diff-text.js';
import { failedBeforeChecks } from './failure.js';
import { problemGroups, type HostGroup } from './groups.js';
import { hostRange } from './host-range.js';
import { checkCounts, hostCounts, type HostVerdict } from './verdict.js';

const INDENT = '    ';

/** The audit for many hosts: host totals, per check host counts, then only the hosts with problems, grouped, worst first. */
export function auditSummary(doc: ReportDocument, paint: Paint): string[] {
  const diff = doc.diff ? [...diffLines(doc.diff), ''] : [];
  return [...totals(doc, paint), '', ...checkTable(doc), ...diff, ...problems(doc, paint)];
}

function totals(doc: ReportDocument, paint: Paint): string[] {
  const n = hostCounts(doc);
  const word: Record<HostVerdict, string> = {
    ok: 'ok',
    drift: 'drifted',
    changed: 'changed',
    failed: 'failed',
    unreachable: 'unreachable',
    skipped: 'not audited',
  };
  const shown = STATUSES.filter((v) => n[v] > 0 || ['ok', 'drift', 'failed', 'unreachable'].includes(v));
  const parts = shown.map((v) => paint(v, `${n[v]} ${word[v]}`));
  const lines = [`${doc.command}: ${doc.hosts.length} hosts: ${parts.join(', ')} (exit ${doc.exitCode})`];
  const locked = doc.hosts.filter((h) => h.lock).map((h) => h.host);
  if (locked.length) lines.push(`disable lock on ${locked.length}: ${printable(hostRange(locked))}`);
  return lines;
}

/** Hosts per status, one row per check. */
function checkTable(doc: ReportDocument): string[] {
  const counts = checkCounts(doc);
  if (counts.size === 0) return [];
  const columns = STATUSES.filter((s) => s !== 'changed' || [...counts.values()].some((c) => c.changed > 0));
  const idWidth = Math.max(5, ...[...counts.keys()].map((id) => id.length));
  const cell = (s: Status, v: string | number) => String(v).padStart(Math.max(s.length, 5));
  const rows = [`${'CHECK'.padEnd(idWidth)}  ${columns.map((s) => cell(s, s)).join('  ')}`];
  for (const [id, c] of counts)
    rows.push(`${printable(id).padEnd(idWidth)}  ${columns.map((s) => cell(s, c[s])).join('  ')}`);
  return [...rows, ''];
}

function problems(doc: ReportDocument, paint: Paint): string[] {
  const groups = problemGroups(doc.hosts);
  if (groups.length === 0) return ['no problems'];
  const lines = [
    `problems, worst first (${groups.length} ${groups.length === 1 ? 'group' : 'groups'}; --verbose for every host):`,
  ];
  for (const g of groups.map(groupText))
    lines.push(`${paint(g.verdict, g.verdict.padEnd(11))} ${g.head}`, ...g.reasons.map((r) => `${INDENT}${r}`));
  return lines;
}

/** A group in words: `bld-[01:40]: purge drift, same plan shape (…)` and its first host's reasons, whole. */
export interface GroupText {
  verdict: HostGroup['verdict'];
  head: string;
  reasons: string[];
}

export function auditSummaryGroups(doc: ReportDocument): GroupText[] {
  return problemGroups(doc.hosts).map(groupText);
}

function groupText(g: HostGroup): GroupText {
  const first = g.hosts[0] as HostReport;
  const names = printable(hostRange(g.hosts.map((h) => h.host)));
  const before = failedBeforeChecks(first);
  const what = findingsWords(first);
  const same =
    g.hosts.length > 1
      ? `, same ${before ? 'reason' : 'plan shape'} (${g.hosts.length} hosts, shown: ${printable(first.host)})`
      : '';
  return { verdict: g.verdict, head: `${names}: ${what}${same}`, reasons: reasons(first) };
}

/** "unreachable at connect (timeout)", "purge drift, clobber failed", "not audited (the run was stopped)". */
function findingsWords(h: HostReport): string {
  const before = failedBeforeChecks(h);
  if (before?.stage === 'interrupted') return 'not audited (the run was stopped)';
  if (before) return `${failureStatus(before)} at ${before.stage}${before.reason ? ` (${before.reason})` : ''}`;
  return h.results
    .filter((r) => r.status !== 'ok' && r.status !== 'skipped')
    .map((r) => `${printable(r.check)} ${r.status}`)
    .join(', ');
}

/** Every reason whole: each line of a summary or failure on its own indented line, never cut. */
function reasons(h: HostReport): string[] {
  const whole = (label: string, text: string) => {
    const [line, ...rest] = text.split('\n');
    return [`${label}${printable(line ?? '')}`, ...rest.map((l) => `  ${printable(l)}`)];
  };
  // a check cut short by a lost connection says what the host's failure says: told once, below
  const told = (r: Result) => r.status === 'ok' || r.status === 'skipped' || (r.status === 'unreachable' && h.failure);
  const out = failedBeforeChecks(h)
    ? []
    : h.results.filter((r) => !told(r)).flatMap((r) => whole(`${printable(r.check)}: `, r.summary));
  if (h.failure) out.push(...whole(h.failure.reason ? `${h.failure.reason}: ` : '', h.failure.detail));
  return out;
}
