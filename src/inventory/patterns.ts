import { readTextSync } from '../host/local-files.js';
import { globToRegExp } from '../core/glob.js';
import { parseAddress } from './hosts.js';
import { InventoryError, type Inventory } from './model.js';

/** Ansible's split_host_pattern: commas; else one address (IPv6, ranges); else `:` outside brackets. */
export function splitPattern(pattern: string): string[] {
  let terms: string[];
  if (pattern.includes(',')) terms = pattern.split(',');
  else if (parseAddress(pattern)) terms = [pattern];
  else terms = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return terms.map((t) => t.trim()).filter(Boolean);
}

/** Hosts selected by a pattern (`a:b`, `&`, `!`, globs, `~regex`, `g[0]`, `g[1:3]`, `@file`), in evaluation order. */
export function selectHosts(inv: Inventory, pattern: string, warn: (msg: string) => void = () => {}): string[] {
  const terms = expandFiles(splitPattern(pattern));
  const plain = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'));
  const ordered = [
    ...(plain.length ? plain : ['all']),
    ...terms.filter((t) => t.startsWith('&')),
    ...terms.filter((t) => t.startsWith('!')),
  ];
  let hosts: string[] = [];
  for (const term of ordered) {
    if (inv.hosts.has(term)) {
      if (!hosts.includes(term)) hosts.push(term);
      continue;
    }
    const that = new Set(matchOne(inv, term, warn));
    if (term.startsWith('!')) hosts = hosts.filter((h) => !that.has(h));
    else if (term.startsWith('&')) hosts = hosts.filter((h) => that.has(h));
    else hosts.push(...[...that].filter((h) => !hosts.includes(h)));
  }
  return hosts;
}

/** `@file`: one host or pattern per line. */
function expandFiles(terms: string[]): string[] {
  return terms.flatMap((t) => {
    if (!t.startsWith('@')) return [t];
    return readTextSync(t.slice(1), `${t.slice(1)} (--limit ${t})`)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  });
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]+)?)\]$/;

function matchOne(inv: Inventory, term: string, warn: (msg: string) => void): string[] {
  const body = term.startsWith('&') || term.startsWith('!') ? term.slice(1) : term;
  const sub = body.startsWith('~') ? null : SUBSCRIPT.exec(body);
  const expr = sub ? (sub[1] as string) : body;
  const hosts = enumerate(inv, expr, warn);
  // _apply_subscript: nothing matched is no error; an end of 0 is falsy, so `g[2:0]` means `g[2]`
  if (!sub || hosts.length === 0) return hosts;
  if (sub[2] !== undefined || Number(sub[5]) === 0) {
    const i = Number(sub[2] ?? sub[3]);
    const h = hosts.at(i);
    if (h === undefined || i >= hosts.length)
      throw new InventoryError(`No hosts matched the subscripted pattern '${body}'`);
    return [h];
  }
  const end = sub[5] === undefined ? hosts.length - 1 : Number(sub[5]);
  return hosts.slice(Number(sub[3]), end + 1);
}

function enumerate(inv: Inventory, expr: string, warn: (msg: string) => void): string[] {
  const re = compile(expr);
  const groups = [...inv.groups.keys()].filter((g) => re.test(g));
  const results = groups.flatMap((g) => inv.hostsOf(g));
  if (groups.length === 0 || expr.startsWith('~') || /[.?*[]/.test(expr))
    results.push(...[...inv.hosts.keys()].filter((h) => re.test(h)));
  if (results.length === 0 && groups.length === 0 && expr !== 'all')
    warn(`Could not match supplied host pattern, ignoring: ${expr}`);
  return [...new Set(results)];
}

/** `~regex` anchored at the start only (re.match); anything else an fnmatch glob anchored at both ends. */
function compile(expr: string): RegExp {
  try {
    if (expr.startsWith('~')) return new RegExp(`^(?:${expr.slice(1)})`);
    return globToRegExp(expr, { slash: true });
  } catch {
    throw new InventoryError(`Invalid host list pattern: ${expr}`);
  }
}
