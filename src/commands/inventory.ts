import { ConfigError } from '../core/errors.js';
import { limitHosts, loadInventory } from '../inventory/index.js';
import { inventoryListText } from '../inventory/list.js';
import type { Io } from '../core/io.js';

/** `runner inventory --list`: the resolved inventory in the JSON shape of `ansible-inventory --list`. */
export function listInventory(opts: { inventory: string; list?: boolean; limit?: string }, io: Io): number {
  if (!opts.list) throw new ConfigError('runner inventory: give --list');
  const loaded = loadInventory(opts.inventory);
  const warn = (m: string) => io.stderr.write(`runner: warning: ${m}\n`);
  for (const w of loaded.warnings) warn(w);
  const selected = opts.limit === undefined ? undefined : limitHosts(loaded, opts.limit, warn);
  io.stdout.write(`${inventoryListText(loaded, selected)}\n`);
  return 0;
}
