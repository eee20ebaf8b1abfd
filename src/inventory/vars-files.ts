import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap, isScalar } from 'yaml';
import { InventoryError, type Vars } from './model.js';
import { parseYaml } from './yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** `group_vars/<name>` or `host_vars/<name>` beside the inventory: a file (first of '', .yml, .yaml, .json) or a dir of them. */
export function varsFor(dir: string, kind: 'group_vars' | 'host_vars', name: string): Vars {
  for (const ext of EXTENSIONS) {
    const path = join(dir, kind, `${name}${ext}`);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory() ? filesUnder(path) : [path];
    return Object.assign({}, ...files.map(readVarsFile));
  }
  return {};
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      if (name.startsWith('.') || name.endsWith('~')) return [];
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path);
      return EXTENSIONS.includes(extname(name)) ? [path] : [];
    });
}

function readVarsFile(file: string): Vars {
  const { doc, where } = parseYaml(readFileSync(file, 'utf8'), file);
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return {};
  if (!isMap(top)) throw new InventoryError(`${where(top)}: a vars file must hold a mapping of names to values`);
  return top.toJS(doc) as Vars;
}
