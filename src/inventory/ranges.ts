import { InventoryError } from './model.js';

/** Ansible expands any range, however large (h[0:200000] takes it 8 minutes); runner refuses beyond this. */
export const MAX_HOSTS_PER_PATTERN = 100_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface Bracket {
  head: string;
  tail: string;
  count: number;
  item: (k: number) => string;
}

/** The first `[begin:end(:step)]` of a line, as expand_hostname_range reads it. */
function firstBracket(line: string): Bracket {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  const fail = (why: string): never => {
    throw new InventoryError(`${why}: ${line}`);
  };
  if (open === -1 || close === -1) fail('host range must be begin:end or begin:end:step');
  const [head, range, tail] = [line.slice(0, open), line.slice(open + 1, close), line.slice(close + 1)];
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) fail('host range must be begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1] as string;
  if (!end) fail('host range must specify end value');
  const step = bounds[2] === undefined ? 1 : Number(bounds[2]);
  if (!/^[0-9]*$/.test(bounds[2] ?? '1') || !(step > 0)) fail('host range step must be a positive integer');
  let fill = (x: string | number) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) fail('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  let [i, j] = [LETTERS.indexOf(beg), LETTERS.indexOf(end)];
  const letters = beg.length === 1 && end.length === 1 && i !== -1 && j !== -1;
  if (letters && i > j) fail('host range must have begin <= end');
  if (!letters) {
    if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) fail('invalid host range');
    [i, j] = [Number(beg), Number(end)];
  }
  const count = j < i ? 0 : Math.floor((j - i) / step) + 1;
  const item = (k: number) => fill(letters ? (LETTERS[i + k * step] as string) : i + k * step);
  return { head, tail, count, item };
}

/** `db[01:10:3]-[a:c]`: the first bracket expands, then the rest (expand_hostname_range), up to the cap. */
export function expandRange(pattern: string): string[] {
  let total = 1;
  for (let rest = pattern; rest.includes('['); ) {
    const b = firstBracket(rest);
    total *= b.count;
    rest = b.tail;
  }
  if (total > MAX_HOSTS_PER_PATTERN)
    throw new InventoryError(
      `host pattern '${pattern}' expands to ${total} hosts; runner refuses more than ${MAX_HOSTS_PER_PATTERN} per pattern (Ansible would spend hours on it): split it into smaller ranges`,
    );
  return expand(pattern);
}

function expand(line: string): string[] {
  const b = firstBracket(line);
  const out: string[] = [];
  for (let k = 0; k < b.count; k++) {
    const name = `${b.head}${b.item(k)}${b.tail}`;
    if (name.includes('[')) out.push(...expand(name));
    else out.push(name);
  }
  return out;
}
