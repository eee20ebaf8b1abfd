import { dirname, extname } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { readTextSync, statPath } from '../host/local-files.js';
import { parseIni } from './ini.js';
import { Inventory, InventoryError, type Vars } from './model.js';
import { selectHosts } from './patterns.js';
import { hostVars } from './resolve.js';
import { varsReader } from './vars-files.js';
import { parseYamlInventory, PluginConfigError } from './yaml.js';

export interface LoadedInventory {
  file: string;
  inv: Inventory;
  /** every host's vars, resolved with Ansible's precedence (group_vars/ and host_vars/ included) */
  vars: Map<string, Vars>;
  warnings: string[];
}

/** Reads an INI or YAML inventory; any problem is a ConfigError naming the file and line, before anything connects. */
export function loadInventory(file: string): LoadedInventory {
  const inv = parse(readInventory(file), file);
  const dir = dirname(file);
  try {
    inv.reconcile();
    const reader = varsReader(dir);
    const vars = new Map([...inv.hosts.keys()].map((h) => [h, hostVars(inv, h, reader)] as const));
    return { file, inv, vars, warnings: inv.warnings };
  } catch (err) {
    throw asConfigError(err);
  }
}

function readInventory(file: string): string {
  const what = `inventory ${file}`;
  const st = statPath(file, what);
  if (st === null) throw new ConfigError(`cannot read ${what}: no such file`);
  if (st.type === 'dir') throw new ConfigError(`${what} is a directory: give one INI or YAML file`);
  if (st.mode & 0o111)
    throw new ConfigError(
      `${what} is executable: dynamic inventory scripts are not supported (clear the x bit if it is a plain file)`,
    );
  return readTextSync(file, what);
}

/**
 * Ansible's plugin order: the yaml plugin takes `.yml`, `.yaml`, `.json` or no extension (case-sensitive); the
 * ini plugin takes any file, and is tried when yaml fails (a `.yml` holding INI is read as INI).
 */
function parse(text: string, file: string): Inventory {
  try {
    const ext = extname(file);
    if (ext !== '' && !['.yml', '.yaml', '.json'].includes(ext)) return parseIni(text, file);
    let yamlError: InventoryError;
    try {
      return parseYamlInventory(text, file);
    } catch (err) {
      if (!(err instanceof InventoryError) || err instanceof PluginConfigError) throw err;
      yamlError = err;
    }
    try {
      return parseIni(text, file);
    } catch (err) {
      if (!(err instanceof InventoryError)) throw err;
      throw new InventoryError(`${yamlError.message}; nor is it INI: ${err.message}`);
    }
  } catch (err) {
    throw asConfigError(err);
  }
}

function asConfigError(err: unknown): unknown {
  return err instanceof InventoryError ? new ConfigError(`invalid inventory: ${err.message}`) : err;
}

/** The hosts a `--limit` pattern selects (all when none), in the order the pattern evaluates them. */
export function limitHosts(loaded: LoadedInventory, pattern: string | undefined, warn: (m: string) => void): string[] {
  try {
    return selectHosts(loaded.inv, pattern ?? 'all', warn);
  } catch (err) {
    throw asConfigError(err);
  }
}
