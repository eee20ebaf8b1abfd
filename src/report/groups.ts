import type { HostReport } from '../core/types.js';
import { failedBeforeChecks } from './failure.js';
import { hostVerdict, VERDICT_ORDER, type HostVerdict } from './verdict.js';

/** Hosts with the same findings, shown once: the first host (inventory order) stands for the rest. */
export interface HostGroup {
  verdict: HostVerdict;
  hosts: HostReport[];
}

/**
 * A reason set apart from what varies between hosts of one pool: the host's own name, sizes, numbers and the
 * plural that follows a number ("delete 3 dirs (1.2 GB)" and "delete 1 dir (200 kB)" read alike).
 */
export function reasonShape(text: string, host: string): string {
  return text
    .split(host)
    .join('<host>')
    .replace(/\d+(\.\d+)?\s?([kMGTP]i?B|B)\b/g, '#B')
    .replace(/\d+(\.\d+)?/g, '#')
    .replace(/# (\w+?)s\b/g, '# $1');
}

/**
 * "Same plan shape": the same status for every check, and the same reasons (the summaries of checks that are
 * not ok or skipped, the host's failure) once reasonShape has set aside what varies.
 */
export function findingsKey(h: HostReport): string {
  const f = h.failure;
  const failure = f ? `${f.stage}|${f.reason ?? ''}|${reasonShape(f.detail, h.host)}` : '';
  if (f && failedBeforeChecks(h)) return `before|${failure}`;
  const results = h.results.map((r) =>
    r.status === 'ok' || r.status === 'skipped'
      ? `${r.check}=${r.status}`
      : `${r.check}=${r.status}:${reasonShape(r.summary, h.host)}`,
  );
  return `${results.join('\n')}|${failure}`;
}

/** The hosts that are not ok (or not audited), grouped by findings; worst verdict first, then bigger groups, then inventory order. */
export function problemGroups(hosts: readonly HostReport[]): HostGroup[] {
  const groups = new Map<string, HostGroup & { first: number }>();
  hosts.forEach((h, i) => {
    const verdict = hostVerdict(h);
    // a host whose checks all skipped is not a problem; one the run never got to (interrupted) is
    if (verdict === 'ok' || (verdict === 'skipped' && !h.failure)) return;
    const key = findingsKey(h);
    const g = groups.get(key);
    if (g) g.hosts.push(h);
    else groups.set(key, { verdict, hosts: [h], first: i });
  });
  const rank = (v: HostVerdict) => VERDICT_ORDER.indexOf(v);
  return [...groups.values()]
    .sort((a, b) => rank(a.verdict) - rank(b.verdict) || b.hosts.length - a.hosts.length || a.first - b.first)
    .map(({ verdict, hosts: members }) => ({ verdict, hosts: members }));
}
