import type { ReportDocument } from './document.js';
import { hostVerdict, type HostVerdict } from './verdict.js';

/** How a host moved between two audits, in one word. */
export type ChangeKind = 'unreachable' | 'failed' | 'drifted' | 'recovered' | 'changed';

export interface HostChange {
  host: string;
  kind: ChangeKind;
  from: HostVerdict;
  to: HostVerdict;
}

/** What changed since a previous audit: hosts whose verdict moved, hosts new to the inventory and hosts gone from it. */
export interface AuditDiff {
  previous: { file: string; startedAt: string; hosts: number };
  changed: HostChange[];
  new: string[];
  gone: string[];
}

const PROBLEMS: readonly HostVerdict[] = ['unreachable', 'failed', 'drift'];

function kindOf(from: HostVerdict, to: HostVerdict): ChangeKind {
  if (to === 'unreachable') return 'unreachable';
  if (to === 'failed') return 'failed';
  if (to === 'drift' && !PROBLEMS.includes(from)) return 'drifted';
  if (!PROBLEMS.includes(to) && PROBLEMS.includes(from)) return 'recovered';
  return 'changed';
}

/** Compares host verdicts (worst status of each host); hosts keep the current audit's order. */
export function diffAudits(previous: ReportDocument, current: ReportDocument, file: string): AuditDiff {
  const before = new Map(previous.hosts.map((h) => [h.host, hostVerdict(h)]));
  const now = new Set(current.hosts.map((h) => h.host));
  const changed: HostChange[] = [];
  const added: string[] = [];
  for (const h of current.hosts) {
    const from = before.get(h.host);
    const to = hostVerdict(h);
    if (from === undefined) added.push(h.host);
    else if (from !== to) changed.push({ host: h.host, kind: kindOf(from, to), from, to });
  }
  return {
    previous: { file, startedAt: previous.startedAt, hosts: previous.hosts.length },
    changed,
    new: added,
    gone: previous.hosts.map((h) => h.host).filter((h) => !now.has(h)),
  };
}
