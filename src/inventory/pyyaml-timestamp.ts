import { Timestamp } from './yaml-values.js';

/** PyYAML's implicit resolver: a date needs two-digit month and day; a lowercase `z` is not a zone. */
export const IMPLICIT_TIMESTAMP =
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/;
const PARTS =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** construct_yaml_timestamp, then isoformat(); out-of-range fields fail as Python's datetime does. */
export function pyTimestamp(text: string): Timestamp {
  const m = PARTS.exec(text);
  if (!m) throw new Error(`invalid timestamp '${text}'`);
  const n = (i: number) => Number(m[i]);
  const [year, month, day] = [n(1), n(2), n(3)];
  const bad = (why: string): never => {
    throw new Error(`invalid timestamp '${text}': ${why}`);
  };
  if (year < 1) bad(`year ${year} is out of range`);
  if (month < 1 || month > 12) bad('month must be in 1..12');
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) bad('day is out of range for month');
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (m[4] === undefined) return new Timestamp(date);
  const [hour, minute, second] = [n(4), n(5), n(6)];
  if (hour > 23) bad('hour must be in 0..23');
  if (minute > 59) bad('minute must be in 0..59');
  if (second > 59) bad('second must be in 0..59');
  const micro = Number((m[7] ?? '').slice(0, 6).padEnd(6, '0'));
  let iso = `${date}T${pad(hour)}:${pad(minute)}:${pad(second)}${micro ? `.${pad(micro, 6)}` : ''}`;
  if (m[8] === 'Z') iso += '+00:00';
  else if (m[9] !== undefined) {
    const offset = n(10) * 60 + Number(m[11] ?? 0);
    if (offset >= 24 * 60) bad('the zone offset must be less than 24 hours');
    iso += `${m[9] === '-' && offset ? '-' : '+'}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  }
  return new Timestamp(iso);
}
