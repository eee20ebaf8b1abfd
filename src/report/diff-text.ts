import { printable } from '../core/text.js';
import type { AuditDiff, ChangeKind, HostChange } from './diff.js';
import { hostRange } from './host-range.js';

const ORDER: readonly ChangeKind[] = ['unreachable', 'failed', 'drifted', 'changed', 'recovered'];
const WORDS: Record<ChangeKind, string> = {
  unreachable: 'went unreachable',
  failed: 'began failing',
  drifted: 'drifted',
  changed: 'changed',
  recovered: 'recovered',
};

/** The diff in words: one line per kind of change and previous verdict, hosts in range notation. */
export function diffLines(diff: AuditDiff): string[] {
  const p = diff.previous;
  const head = `since the audit of ${p.startedAt} (${printable(p.file)}, ${p.hosts} hosts):`;
  const lines: string[] = [];
  for (const kind of ORDER) {
    const byMove = new Map<string, HostChange[]>();
    for (const c of diff.changed.filter((x) => x.kind === kind)) {
      const move = `${c.from} → ${c.to}`;
      byMove.set(move, [...(byMove.get(move) ?? []), c]);
    }
    for (const [move, cs] of byMove) lines.push(`  ${WORDS[kind]}: ${hosts(cs.map((c) => c.host))} (${move})`);
  }
  if (diff.new.length) lines.push(`  new: ${hosts(diff.new)}`);
  if (diff.gone.length) lines.push(`  gone: ${hosts(diff.gone)}`);
  return [head, ...(lines.length ? lines : ['  no host changed'])];
}

function hosts(names: string[]): string {
  return `${printable(hostRange(names))}${names.length > 1 ? ` [${names.length}]` : ''}`;
}
