/** A name split at its last run of digits: `bld-04.eu` → `bld-`, `04`, `.eu`. */
interface Numbered {
  prefix: string;
  digits: string;
  suffix: string;
}

function split(name: string): Numbered | undefined {
  const m = /^(.*?)(\d+)(\D*)$/s.exec(name);
  return m ? { prefix: m[1] as string, digits: m[2] as string, suffix: m[3] as string } : undefined;
}

/**
 * Host names in Ansible's range notation, compacted: `bld-[01:40]`, gaps as commas (`bld-[01:03,07]`), names
 * without a number as they are. A range keeps its first number's width, as Ansible expands `[01:40]`.
 */
export function hostRange(names: readonly string[]): string {
  const families = new Map<string, Numbered[]>();
  const plain: string[] = [];
  for (const name of names) {
    const n = split(name);
    if (!n) {
      plain.push(name);
      continue;
    }
    const key = `${n.prefix}\u0000${n.suffix}`;
    families.set(key, [...(families.get(key) ?? []), n]);
  }
  const parts = [...families.values()].map((members) => {
    const first = members[0] as Numbered;
    if (members.length === 1) return `${first.prefix}${first.digits}${first.suffix}`;
    return `${first.prefix}[${runs(members.map((m) => m.digits)).join(',')}]${first.suffix}`;
  });
  return [...parts, ...plain].join(', ');
}

/** Consecutive numbers written alike (`String(n)` padded to the run's first width) as `a:b`; others alone. */
function runs(digits: string[]): string[] {
  const cmp = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : a.length - b.length);
  const sorted = [...new Set(digits)].sort(cmp);
  const out: string[] = [];
  let start = sorted[0] as string;
  let last = start;
  const fits = (d: string, from: string, prev: string) =>
    BigInt(d) === BigInt(prev) + 1n && d === String(BigInt(d)).padStart(from.length, '0');
  for (const d of sorted.slice(1)) {
    if (fits(d, start, last)) {
      last = d;
      continue;
    }
    out.push(start === last ? start : `${start}:${last}`);
    start = last = d;
  }
  out.push(start === last ? start : `${start}:${last}`);
  return out;
}
