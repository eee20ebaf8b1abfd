import { InventoryError } from './model.js';
import { expandRange } from './ranges.js';

const NUM_RANGE = String.raw`\[[0-9]+:[0-9]+(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
// Python's re.UNICODE \w: letters and digits of any script, and '_'
const WORD = String.raw`\p{L}\p{N}_`;
const LABEL = String.raw`(?:[${WORD}]|${ALNUM_RANGE})(?:[${WORD}-]|${ALNUM_RANGE})*(?<![_-])`;
const HOSTNAME = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*$`, 'iu');
const IPV4 = new RegExp(String.raw`^(?:\d{1,3}|${NUM_RANGE})(?:\.(?:\d{1,3}|${NUM_RANGE})){3}$`, 'i');
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
  // Ansible drops a `:0` silently and keeps `:99999` until it connects; runner refuses both
  if (parsed?.port !== undefined && !(parsed.port >= 1 && parsed.port <= 65535))
    throw new InventoryError(`host ${pattern}: a port must be a decimal number from 1 to 65535; runner does not guess`);
  const names = base.includes('[') ? expandRange(base) : [base];
  return parsed?.port === undefined ? { names } : { names, port: parsed.port };
}
