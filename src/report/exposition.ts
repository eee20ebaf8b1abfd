// Prometheus text exposition format 0.0.4: the one place that writes names, labels and values.

export type Labels = Record<string, string>;
export type MetricType = 'gauge' | 'counter' | 'histogram' | 'info';

interface Family {
  type: MetricType;
  help: string;
  lines: string[];
}

/** Label values are data (a dir name, a host name): `\`, `"` and newline escaped as the format says. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes `\` and newline only. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

/** Families in the order first declared, each one's samples together (the format requires it). */
export class Exposition {
  private readonly families = new Map<string, Family>();

  /** Declares a family (again is fine: same type and help) and adds one sample; `suffix` for _bucket/_sum/_count. */
  sample(name: string, type: MetricType, help: string, labels: Labels, value: number, suffix = ''): void {
    let f = this.families.get(name);
    if (!f) this.families.set(name, (f = { type, help, lines: [] }));
    f.lines.push(`${name}${suffix}${labelText(labels)} ${formatValue(value)}`);
  }

  text(): string {
    const out: string[] = [];
    for (const [name, f] of this.families) {
      // `info` is OpenMetrics; in this format an info metric is a gauge whose value is 1
      out.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type === 'info' ? 'gauge' : f.type}`);
      out.push(...f.lines);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}
