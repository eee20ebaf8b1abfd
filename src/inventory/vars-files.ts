import { extname, join } from 'node:path';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { listDir, readTextSync, statPath } from '../host/local-files.js';
import { InventoryError, type Vars } from './model.js';
import { recordOrigin } from './origins.js';
import { parseYaml } from './yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** `group_vars/<name>` or `host_vars/<name>` beside the inventory: a file (first of '', .yml, .yaml, .json) or a dir of them. */
export function varsFor(dir: string, kind: 'group_vars' | 'host_vars', name: string): Vars {
  for (const ext of EXTENSIONS) {
    const path = join(dir, kind, `${name}${ext}`);
    const st = statPath(path, `${kind} ${path}`);
    if (st === null) continue;
    const files = st.type === 'dir' ? filesUnder(path) : [path];
    return Object.assign({}, ...files.map(readVarsFile));
  }
  return {};
}

function filesUnder(dir: string): string[] {
  return listDir(dir, `vars dir ${dir}`)
    .sort()
    .flatMap((name) => {
      if (name.startsWith('.') || name.endsWith('~')) return [];
      const path = join(dir, name);
      if (statPath(path, `vars file ${path}`)?.type === 'dir') return filesUnder(path);
      return EXTENSIONS.includes(extname(name)) ? [path] : [];
    });
}

function readVarsFile(file: string): Vars {
  const { doc, where } = parseYaml(readTextSync(file, `vars file ${file}`), file);
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return {};
  if (!isMap(top)) throw new InventoryError(`${where(top)}: a vars file must hold a mapping of names to values`);
  const vars = top.toJS(doc) as Vars;
  for (const pair of top.items as Pair<Node, Node | null>[])
    if (isScalar(pair.key)) recordOrigin(vars[String(pair.key.value)], pair.value, where);
  return vars;
}
