import { ConfigError } from '../core/errors.js';
import { parseDuration } from '../core/quantity.js';

// The numbers of CLI options, parsed in one place: a bad value is an error naming the option and the value.

/** A whole number ≥ 1 (--forks, --iterations). */
export function wholeNumber(text: string, option: string): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw bad(option, 'a whole number ≥ 1', text);
  return n;
}

/** Seconds ("120", "1.5") or a duration ("2m", "1h30m"), in milliseconds, > 0 (--timeout, --connect-timeout). */
export function seconds(text: string, option: string): number {
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Math.round(Number(text) * 1000) : parseDuration(text);
  if (ms === undefined || ms <= 0) throw bad(option, 'seconds or a duration like 2m', text);
  return ms;
}

/** A duration ("30m", "2h", "1h30m"), in milliseconds, > 0 (--for). */
export function duration(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw bad(option, 'a duration like 30m or 2h', text);
  return ms;
}

function bad(option: string, expected: string, text: string): ConfigError {
  return new ConfigError(`${option}: expected ${expected}, got ${JSON.stringify(text)}`);
}
