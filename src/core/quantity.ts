// sizes and durations as text, without zod: the CLI parses --for with these before any schema exists
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

/**
 * What the parsers below accept, as JSON Schema `pattern`s (ECMA regex without flags: case spelled out), so an
 * editor flags `20 gigs`. Kept apart from the parsers on purpose: a property test holds the two together.
 */
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([KkMmGgTt][Ii]?[Bb]|[Bb])\\s*$';
export const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?[smhdw])+\\s*$';

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
