/** What a plan depends on, per entry (a planned dir, a pid): each field must hold when the plan is applied. */
export type Fingerprint = Record<string, Record<string, FingerprintValue>>;

/** An exact value, or a measure that may drift by `tolerance` (free bytes) and the plan still holds. */
export type FingerprintValue = string | number | boolean | null | { value: number; tolerance: number };

/**
 * The conservative fingerprint of a check with none of its own: every leaf of its plan, by JSON path, must be
 * equal (whole-plan equality, told field by field).
 */
export function flatFingerprint(plan: unknown): Fingerprint {
  const fields: Record<string, FingerprintValue> = {};
  const walk = (v: unknown, at: string): void => {
    if (v !== null && typeof v === 'object') {
      const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v);
      if (entries.length === 0) fields[at || '.'] = JSON.stringify(v);
      for (const [k, x] of entries) walk(x, Array.isArray(v) ? `${at}${k}` : at ? `${at}.${k}` : k);
    } else fields[at || '.'] = v === undefined ? null : (v as FingerprintValue);
  };
  walk(plan, '');
  return { plan: fields };
}

/** Free bytes may move this much (5% of the planned figure, at least 1 MiB) and a purge plan still holds. */
export function freeTolerance(freeBytes: number): number {
  return Math.max(Math.round(freeBytes * 0.05), 1024 * 1024);
}

/** "entry: field old → new" for every difference; empty when `fresh` holds `saved` (within its tolerances). */
export function diffFingerprint(saved: Fingerprint, fresh: Fingerprint): string[] {
  const out: string[] = [];
  for (const [key, fields] of Object.entries(saved)) {
    const now = fresh[key];
    if (now === undefined) {
      out.push(`${key}: planned, no longer in the fresh plan`);
      continue;
    }
    for (const [field, was] of Object.entries(fields)) {
      const is = now[field] ?? null;
      if (!holds(was, is)) out.push(`${key}: ${field} ${told(was)} → ${told(is)}`);
    }
    for (const field of Object.keys(now))
      if (!(field in fields)) out.push(`${key}: ${field} (new) ${told(now[field] ?? null)}`);
  }
  for (const key of Object.keys(fresh))
    if (!(key in saved)) out.push(`${key}: in the fresh plan, not in the saved one`);
  return out;
}

function holds(was: FingerprintValue, is: FingerprintValue): boolean {
  if (was !== null && typeof was === 'object')
    return is !== null && typeof is === 'object' && Math.abs(is.value - was.value) <= was.tolerance;
  return was === is;
}

function told(v: FingerprintValue): string {
  if (v !== null && typeof v === 'object') return `${v.value} (±${v.tolerance})`;
  return JSON.stringify(v);
}
