/** "1 dir", "3 dirs": a count with its noun in the right number. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * An equal string that shares no memory with the text it was cut from. V8 keeps a long cut (a slice) as a
 * pointer into the whole: one user name kept in a report would keep a host's 200 kB process listing alive.
 */
export function detach(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/**
 * Text from the build user (names, command lines, file contents) made safe for a terminal: control characters
 * (C0, DEL, C1), lone surrogates (bytes that are not UTF-8) and backslashes are written as escapes.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\\\ud800-\udfff]/g, (c, i: number, s: string) => {
    const code = c.charCodeAt(0);
    if (c === '\\') return '\\\\';
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && /[\udc00-\udfff]/.test(s[i + 1] as string)) return c; // a pair
    if (code >= 0xdc00 && code <= 0xdfff && i > 0 && /[\ud800-\udbff]/.test(s[i - 1] as string)) return c;
    if (code >= 0xdc80 && code <= 0xdcff) return `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`;
    if (code === 0x0a) return '\\n';
    if (code === 0x09) return '\\t';
    if (code === 0x0d) return '\\r';
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}
