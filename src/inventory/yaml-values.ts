/** Values of vars files that Ansible prints in its own way, kept apart from plain strings until printed. */

/** `!unsafe` text: Ansible prints it as `{"__ansible_unsafe": text}`; runner uses the text. */
export class Unsafe {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A YAML timestamp as Python's date/datetime `isoformat()` prints it (`2017-03-07T10:20:49+00:00`). */
export class Timestamp {
  constructor(readonly iso: string) {}
  toString(): string {
    return this.iso;
  }
}

/** JSON.stringify replacer: these values as `ansible-inventory --list` prints them. */
export function ansibleJson(_key: string, value: unknown): unknown {
  if (value instanceof Unsafe) return { __ansible_unsafe: value.text };
  if (value instanceof Timestamp) return value.iso;
  return value;
}

/** The value runner works with: unsafe text and timestamps as plain strings. */
export function plainValue(value: unknown): unknown {
  if (value instanceof Unsafe || value instanceof Timestamp) return String(value);
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(plainValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}

/** A Python float: `1500.0` stays `1500.0` when printed (a JS number would print `1500`). */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return pyFloatRepr(this.value);
  }
}

/** Python's repr(float): shortest digits, exponent below 1e-4 and from 1e16, `.0` on whole numbers. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  const [mantissa, e] = n.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const fixed = n.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exp));
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}
