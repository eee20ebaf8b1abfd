import { z } from 'zod';

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3 };

/** "20GB" → 20e9, "512MiB" → 536870912; undefined when not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] as string).toUpperCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** "14d" → ms, "1h30m" → ms; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(trimmed)) return undefined;
  let ms = 0;
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g))
    ms += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
  return Math.round(ms);
}

/** A string field parsed by `parse`; a value it rejects (or a non-string) is "expected WHAT, got …". */
function parsedString<T>(what: string, parse: (text: string) => T | undefined, describe: string) {
  const expected = (input: unknown) => `expected ${what}, got ${JSON.stringify(input)}`;
  return z
    .string({ error: (iss) => expected(iss.input) })
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
);

/** A duration such as `14d`, `10h`, `1h30m`, parsed to milliseconds. */
export const Duration = parsedString(
  'a duration like 30m',
  parseDuration,
  'a duration: s, m, h, d or w, combinable, e.g. 14d, 30m, 1h30m',
);

/** A duration, or `off` to disable what it limits. */
export const DurationOrOff = parsedString<number | 'off'>(
  'a duration like 14d or off',
  (t) => (t === 'off' ? 'off' : parseDuration(t)),
  'a duration (s, m, h, d, w, e.g. 14d) or off',
);

const GB = 1e9;
const MB = 1e6;

/** Human bytes for plans and summaries: 20.0 GB, 512.0 MB, 42 B. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  if (b >= GB) return `${sign}${(b / GB).toFixed(1)} GB`;
  if (b >= MB) return `${sign}${(b / MB).toFixed(1)} MB`;
  if (b >= 1e3) return `${sign}${(b / 1e3).toFixed(1)} kB`;
  return `${sign}${b} B`;
}

/** Human durations: 3d4h, 2h5m, 45s. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return h ? `${d}d${h}h` : `${d}d`;
  if (h > 0) return m ? `${h}h${m}m` : `${h}h`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}
