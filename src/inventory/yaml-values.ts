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
  if (Array.isArray(value)) return value.map(plainValue);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}
