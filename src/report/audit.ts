import { failureStatus, statusesOf } from '../core/outcome.js';
import type { HostFailure, Status } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { failedBeforeChecks } from './failure.js';
import { printable } from '../core/text.js';

/** How a status word is painted (colour on a terminal). */
export type Paint = (status: Status, text: string) => string;

/** The host × check table of an audit: one row per host, one column per check, the status in each cell. */
export function auditTable(doc: ReportDocument, paint: Paint): string[] {
  const ids = [...new Set(doc.hosts.flatMap((h) => h.results.map((r) => r.check)))];
  const hostWidth = Math.max(4, ...doc.hosts.map((h) => printable(h.host).length));
  const widths = ids.map((id) => Math.max(id.length, 11));
  const lines = [
    `${'HOST'.padEnd(hostWidth)}  ${ids.map((id, i) => id.padEnd(widths[i] as number)).join('  ')}`.trimEnd(),
  ];
  for (const h of doc.hosts) {
    // a host that never got to its checks (could not connect, or no valid config) spans the whole row
    const failure = failedBeforeChecks(h);
    if (failure) {
      const status = failureStatus(failure);
      lines.push(`${printable(h.host).padEnd(hostWidth)}  ${paint(status, printable(spanText(failure)))}`);
      continue;
    }
    const cells = ids.map((id, i) => {
      const r = h.results.find((x) => x.check === id);
      const word = r ? r.status : '-';
      return r ? paint(r.status, word.padEnd(widths[i] as number)) : word.padEnd(widths[i] as number);
    });
    lines.push(`${printable(h.host).padEnd(hostWidth)}  ${cells.join('  ')}`.trimEnd());
  }
  return lines;
}

/** "unreachable: timeout: …", "failed: <the whole detail>" (its lines joined: a detail's first line may end at a colon). */
function spanText(f: HostFailure): string {
  const detail = f.detail
    .split('\n')
    .map((l) => l.trim())
    .join(' ');
  if (f.reason !== undefined) return `unreachable: ${f.reason}: ${detail}`;
  return `${failureStatus(f)}: ${detail}`;
}

/** Ansible's PLAY RECAP, with runner's words: one line of counts per host. */
export function recap(doc: ReportDocument, paint: Paint): string[] {
  const width = Math.max(...doc.hosts.map((h) => printable(h.host).length));
  const lines = ['RECAP'];
  for (const h of doc.hosts) {
    const statuses = statusesOf(h);
    const n = (s: Status) => statuses.filter((x) => x === s).length;
    const unreachable = n('unreachable');
    const worst: Status = unreachable ? 'unreachable' : n('failed') ? 'failed' : n('drift') ? 'drift' : 'ok';
    const counts = `ok=${n('ok')}  drift=${n('drift')}  failed=${n('failed')}  unreachable=${unreachable}  skipped=${n('skipped')}`;
    lines.push(`${paint(worst, printable(h.host).padEnd(width))} : ${counts}`);
  }
  return lines;
}
