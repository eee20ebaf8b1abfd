import type { Exposition, Labels } from './exposition.js';

/** A Prometheus histogram kept as data (in last_run.json, across iterations): counts per upper bound, not cumulative. */
export interface Histogram {
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
}

/** Turnaround (worker exit → next worker attached): seconds with deferred deletion, minutes when a build dir is big. */
export const TURNAROUND_BOUNDS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];

export function emptyHistogram(bounds: readonly number[]): Histogram {
  return { bounds: [...bounds], counts: bounds.map(() => 0), sum: 0, count: 0 };
}

/** Adds one observation; a value past the last bound counts only in +Inf (that is, in `count`). */
export function observe(h: Histogram, value: number): void {
  const i = h.bounds.findIndex((b) => value <= b);
  if (i >= 0) h.counts[i] = (h.counts[i] ?? 0) + 1;
  h.sum += value;
  h.count += 1;
}

/** The _bucket (cumulative, `le`), _sum and _count series. */
export function exposeHistogram(out: Exposition, name: string, help: string, labels: Labels, h: Histogram): void {
  let cumulative = 0;
  h.bounds.forEach((b, i) => {
    cumulative += h.counts[i] ?? 0;
    out.sample(name, 'histogram', help, { ...labels, le: String(b) }, cumulative, '_bucket');
  });
  out.sample(name, 'histogram', help, { ...labels, le: '+Inf' }, h.count, '_bucket');
  out.sample(name, 'histogram', help, labels, h.sum, '_sum');
  out.sample(name, 'histogram', help, labels, h.count, '_count');
}
