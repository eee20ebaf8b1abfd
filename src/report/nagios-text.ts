import { printable } from '../core/text.js';

const MAX_LINE = 300;

/**
 * Text for a plugin line: hostile bytes stay data. Control characters (a newline would end the line) are escaped
 * by printable(), and `|`, which starts the perfdata, becomes `\x7c` the same way; long text is cut.
 */
export function pluginText(text: string): string {
  const safe = printable(text).replace(/\|/g, '\\x7c');
  const chars = [...safe]; // by code point: a cut never splits a surrogate pair
  return chars.length > MAX_LINE ? `${chars.slice(0, MAX_LINE - 1).join('')}…` : safe;
}

/** A perfdata label, always quoted: `=` and `'` may not appear in one, nor anything but plain printable ASCII here. */
export function perfLabel(name: string): string {
  return `'${name.replace(/[^A-Za-z0-9 _.\-/:@]/g, '_')}'`;
}
