import { ansibleJson, PyFloat, pyFloatRepr } from './yaml-values.js';

/**
 * JSON as ansible-inventory prints it: Python's json.dumps(sort_keys=True, indent=4, ensure_ascii=False), so the
 * text is the same, not only the data (integer-like keys sort as strings, NaN and Infinity as Python writes them).
 */
export function pyJson(value: unknown, level = 0): string {
  const v = ansibleJson('', value);
  if (v === null || v === undefined) return 'null';
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'number')
    return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  const inner = '    '.repeat(level + 1);
  const close = `\n${'    '.repeat(level)}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + pyJson(x, level + 1)).join(',\n')}${close}]`;
  }
  const keys = Object.keys(v as object).sort();
  if (keys.length === 0) return '{}';
  const items = keys.map(
    (k) => `${inner}${JSON.stringify(k)}: ${pyJson((v as Record<string, unknown>)[k], level + 1)}`,
  );
  return `{\n${items.join(',\n')}${close}}`;
}
