import { InventoryError } from './model.js';

const NUM_RANGE = String.raw`\[[0-9]+:[0-9]+(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const LABEL = String.raw`(?:[\w]|${ALNUM_RANGE})(?:[\w-]|${ALNUM_RANGE})*(?<![_-])`;
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`);
const IPV4 = new RegExp(String.raw`^(?:\d{1,3}|${NUM_RANGE})(?:\.(?:\d{1,3}|${NUM_RANGE})){3}$`);
const IPV6 = /^(?=.*:.*:)[0-9a-fA-F:.[\]]+$/;

/** Ansible's parse_address: an optional `:port` (or `[host]:port`), then a hostname, IPv4 or IPv6. */
export function parseAddress(text: string): { host: string; port?: number } | undefined {
  let host = text;
  let port: number | undefined;
  for (const re of [/^\[(.+)\]:(\d+)$/, /^((?:[^:[\]]|\[[^\]]*\])*):(\d+)$/]) {
    const m = re.exec(host);
    if (m) [host, port] = [m[1] as string, Number(m[2])];
  }
  if (IPV4.test(host) || IPV6.test(host) || HOSTNAME.test(host)) return port === undefined ? { host } : { host, port };
  return undefined;
}

/** A host pattern of an inventory: its names (ranges expanded) and the port it sets, if any. */
export function expandHostPattern(pattern: string): { names: string[]; port?: number } {
  if (pattern.trim() === '---')
    throw new InventoryError(
      `Invalid host pattern '${pattern}' supplied, '---' is normally a sign this is a YAML file.`,
    );
  const parsed = parseAddress(pattern);
  const base = parsed?.host ?? pattern;
  if (pattern.trim().endsWith(':') && parsed?.port === undefined) {
    throw new InventoryError(
      `Invalid host pattern '${pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`,
    );
  }
  const names = base.includes('[') ? expandRange(base) : [base];
  return parsed?.port === undefined ? { names } : { names, port: parsed.port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `db[01:10:3]-[a:c]`: the first bracket expands, then the rest recursively (expand_hostname_range). */
export function expandRange(line: string): string[] {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  if (open === -1 || close === -1) throw new InventoryError(`host range must be begin:end or begin:end:step: ${line}`);
  const [head, range, tail] = [line.slice(0, open), line.slice(open + 1, close), line.slice(close + 1)];
  const bounds = range.split(':');
  if (bounds.length !== 2 && bounds.length !== 3)
    throw new InventoryError(`host range must be begin:end or begin:end:step: ${line}`);
  const beg = bounds[0] || '0';
  const end = bounds[1] as string;
  const step = Number(bounds[2] ?? 1);
  if (!end) throw new InventoryError(`host range must specify end value: ${line}`);
  let fill = (x: string | number) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length)
      throw new InventoryError(`host range must specify equal-length begin and end formats: ${line}`);
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  const seq: (string | number)[] = [];
  if (LETTERS.includes(beg) && LETTERS.includes(end) && beg.length === 1 && end.length === 1) {
    const [i, j] = [LETTERS.indexOf(beg), LETTERS.indexOf(end)];
    if (i > j) throw new InventoryError(`host range must have begin <= end: ${line}`);
    for (let k = i; k <= j; k += step) seq.push(LETTERS[k] as string);
  } else {
    const [i, j] = [Number(beg), Number(end)];
    if (!Number.isInteger(i) || !Number.isInteger(j) || !(step > 0))
      throw new InventoryError(`invalid host range: ${line}`);
    for (let k = i; k <= j; k += step) seq.push(k);
  }
  return seq.flatMap((x) => {
    const name = `${head}${fill(x)}${tail}`;
    return name.includes('[') ? expandRange(name) : [name];
  });
}
