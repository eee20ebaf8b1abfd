import * as z from 'zod';
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from './quantity.js';

export { DURATION_PATTERN, SIZE_PATTERN, formatBytes, formatDuration, parseDuration, parseSize } from './quantity.js';

/** A string field parsed by `parse`; a value it rejects (or a non-string) is "expected WHAT, got …". */
function parsedString<T>(
  what: string,
  parse: (text: string) => T | undefined,
  describe: string,
  pattern: string,
  examples: string[],
) {
  const expected = (input: unknown) => `expected ${what}, got ${JSON.stringify(input)}`;
  return z
    .string({ error: (iss) => expected(iss.input) })
    .meta({ pattern, examples })
    .describe(describe)
    .transform((text, ctx) => {
      const value = parse(text);
      if (value === undefined) {
        ctx.issues.push({ code: 'custom', input: text, message: expected(text) });
        return z.NEVER;
      }
      return value;
    });
}

/** A size such as `20GB` or `512MiB`, parsed to bytes. */
export const Size = parsedString(
  'a size like 20GB',
  parseSize,
  'a size: B, KB/MB/GB/TB (powers of 1000) or KiB/MiB/GiB/TiB (powers of 1024), e.g. 20GB',
  SIZE_PATTERN,
  ['20GB', '512MiB'],
);

/** A duration such as `14d`, `10h`, `1h30m`, parsed to milliseconds. */
export const Duration = parsedString(
  'a duration like 30m',
  parseDuration,
  'a duration: s, m, h, d or w, combinable, e.g. 14d, 30m, 1h30m',
  DURATION_PATTERN,
  ['30m', '1h30m'],
);

/** A duration, or `off` to disable what it limits. */
export const DurationOrOff = parsedString<number | 'off'>(
  'a duration like 14d or off',
  (t) => (t === 'off' ? 'off' : parseDuration(t)),
  'a duration (s, m, h, d, w, e.g. 14d) or off',
  `^off$|${DURATION_PATTERN}`,
  ['14d', 'off'],
);
