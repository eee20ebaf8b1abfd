import { encodeBytes } from '../core/bytes.js';

/**
 * argv for `host.run` that hands `script` its arguments byte for byte, whatever they hold (names that are not
 * UTF-8 included), locally and over SSH alike: each argument travels as printable ASCII (`printf %b` escapes)
 * and is turned back into its bytes on the host, then passed to `script` through `xargs -0`. `-x` makes xargs
 * fail rather than split the arguments over two runs; callers keep each call under MAX_RAW_ARGS_CHARS.
 */
export function rawArgsArgv(script: string, args: readonly string[]): string[] {
  return ['-c', `printf '%b\\0' "$@" | xargs -0 -x -s ${XARGS_LIMIT} sh -c "$0" sh`, script, ...args.map(escapeArg)];
}

/** Escaped characters of one call's arguments, kept well under xargs' limit (and ARG_MAX). */
export const MAX_RAW_ARGS_CHARS = 48_000;
const XARGS_LIMIT = 120_000;

/** Printable ASCII stays as it is (but `\`); every other byte is `\0NNN`, which `printf %b` reads back. */
export function escapeArg(arg: string): string {
  let out = '';
  for (const b of encodeBytes(arg)) {
    if (b === 0) throw new Error('an argument cannot hold a NUL byte');
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\0${b.toString(8).padStart(3, '0')}`;
  }
  return out;
}

/** Splits items (each a group of arguments) into calls whose escaped size stays under the limit. */
export function chunkGroups(groups: readonly (readonly string[])[], fixedChars = 0): number[][] {
  const out: number[][] = [];
  let size = Infinity;
  for (const [i, g] of groups.entries()) {
    const chars = g.reduce((n, a) => n + escapeArg(a).length + 3, 0);
    if (size + chars > MAX_RAW_ARGS_CHARS) [out[out.length], size] = [[], fixedChars];
    (out[out.length - 1] as number[]).push(i);
    size += chars;
  }
  return out;
}
