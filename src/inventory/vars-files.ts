import { extname, join } from 'node:path';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { listDir, readTextSync, statPath } from '../host/local-files.js';
import { InventoryError, type Vars } from './model.js';
import { checkYamlInput } from './runner-inputs.js';
import { parseYaml } from './yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** `group_vars/<name>` or `host_vars/<name>` beside the inventory: a file (first of '', .yml, .yaml, .json) or a dir of them. */
export function varsFor(dir: string, kind: 'group_vars' | 'host_vars', name: string): Vars {
  for (const ext of EXTENSIONS) {
    const path = join(dir, kind, `${name}${ext}`);
    const st = statPath(path, `${kind} ${path}`);
    if (st === null) continue;
    const files = st.type === 'dir' ? filesUnder(path) : [path];
    const owner = `${kind === 'host_vars' ? 'host' : 'group'} ${name}`;
    return Object.assign({}, ...files.map((f) => readVarsFile(f, owner)));
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

function readVarsFile(file: string, owner: string): Vars {
  const { doc, where } = parseYaml(readTextSync(file, `vars file ${file}`), file);
  const top = doc.contents;
  if (top === null || (isScalar(top) && top.value === null)) return {};
  if (!isMap(top)) throw new InventoryError(`${where(top)}: a vars file must hold a mapping of names to values`);
  for (const pair of top.items as Pair<Node, Node | null>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    checkYamlInput(key, pair.value, () => pair.value?.toJS(doc), `${where(pair.value ?? pair.key)}: ${owner}`);
  }
  return top.toJS(doc) as Vars;
}
