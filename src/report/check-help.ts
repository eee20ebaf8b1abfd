/** One line of `runner checks`: the id, what drift leads to (a fix, a halt, or only a report), the summary. */
export interface CheckLine {
  id: string;
  fix: 'fix' | 'halt' | 'report';
  summary: string;
}

/** The JSON Schema of a check's options (input side), as far as help reads it. */
export interface OptionsSchema {
  properties?: Record<string, { description?: string; default?: unknown }>;
  required?: string[];
}

/** `runner checks`: one line per check, sorted by id, in aligned columns. */
export function renderCheckList(lines: readonly CheckLine[]): string {
  const width = Math.max(...lines.map((l) => l.id.length));
  const sorted = [...lines].sort((a, b) => a.id.localeCompare(b.id));
  return sorted.map((l) => `${l.id.padEnd(width)}  ${l.fix.padEnd(6)}  ${l.summary}\n`).join('');
}

/** `runner checks ID`: its summary, then each option with its default (or "required") and its description. */
export function renderCheckOptions(id: string, summary: string, schema: OptionsSchema): string {
  const required = new Set(schema.required ?? []);
  const options = Object.entries(schema.properties ?? {}).map(([name, prop]) => {
    const note =
      prop.default !== undefined
        ? ` (default ${JSON.stringify(prop.default)})`
        : required.has(name)
          ? ' (required)'
          : '';
    return `  ${name}${note}\n      ${prop.description ?? ''}\n`;
  });
  return `${id}: ${summary}\n\noptions:\n${options.join('')}`;
}
