import type { LoadedInventory } from './index.js';
import { pyJson } from './py-json.js';

/** The JSON shape of `ansible-inventory --list`: `_meta.hostvars`, then each group with its hosts and children. */
export function inventoryList(loaded: LoadedInventory, selected?: readonly string[]): Record<string, unknown> {
  const keep = new Set(selected ?? loaded.inv.hosts.keys());
  const hostvars: Record<string, unknown> = {};
  for (const [host, vars] of loaded.vars) if (keep.has(host) && Object.keys(vars).length) hostvars[host] = vars;
  const out: Record<string, unknown> = { _meta: { hostvars } };
  for (const g of loaded.inv.groups.values()) {
    const entry: { hosts?: string[]; children?: string[] } = {};
    const hosts = g.name === 'all' ? [] : g.hosts.filter((h) => keep.has(h));
    if (hosts.length) entry.hosts = hosts;
    if (g.children.length) entry.children = [...g.children];
    if (entry.hosts || entry.children) out[g.name] = entry;
  }
  return out;
}

/** `runner inventory --list`: the text `ansible-inventory --list` prints for the same files. */
export function inventoryListText(loaded: LoadedInventory, selected?: readonly string[]): string {
  return pyJson(inventoryList(loaded, selected));
}
