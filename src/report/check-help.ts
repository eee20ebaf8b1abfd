import { renderFields, type SchemaNode } from './option-help.js';

/** One line of `runner checks`: the id, what drift leads to (a fix, a halt, or only a report), the summary. */
export interface CheckLine {
  id: string;
  fix: 'fix' | 'halt' | 'report';
  summary: string;
}

/** `runner checks`: one line per check, sorted by id, in aligned columns. */
export function renderCheckList(lines: readonly CheckLine[]): string {
  const width = Math.max(...lines.map((l) => l.id.length));
  const sorted = [...lines].sort((a, b) => a.id.localeCompare(b.id));
  return sorted.map((l) => `${l.id.padEnd(width)}  ${l.fix.padEnd(6)}  ${l.summary}\n`).join('');
}

/** `runner checks ID`, `runner config help SECTION`: its summary, then every field (nested ones too). */
export function renderCheckOptions(id: string, summary: string, schema: SchemaNode): string {
  return `${id}: ${summary}\n\noptions:\n${renderFields(id, schema).join('\n')}\n`;
}
