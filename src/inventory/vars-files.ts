import { extname, join } from 'node:path';
import { isMap, isScalar, type Node, type Pair } from 'yaml';
import { listDir, readTextSync, statPath } from '../host/local-files.js';
import { InventoryError, type Vars } from './model.js';
import { recordOrigin } from './origins.js';
import { checkYamlInput } from './runner-inputs.js';
import { parseYaml } from './yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export type VarsReader = (kind: 'group_vars' | 'host_vars', name: string) => Vars;

/**
 * `group_vars/<name>` or `host_vars/<name>` beside the inventory: a file (first of '', .yml, .yaml, .json) or a
 * dir of them. Each dir is listed once and each group read once, so 100,000 hosts cost no 100,000 stats.
 */
export function varsReader(dir: string): VarsReader {
  const entries = new Map<string, Set<string>>();
  const cache = new Map<string, Vars>();
  const listed = (kind: string) => {
    let names = entries.get(kind);
    if (!names) {
      const path = join(dir, kind);
      const st = statPath(path, `${kind} ${path}`);
      entries.set(kind, (names = new Set(st?.type === 'dir' ? listDir(path, `${kind} ${path}`) : [])));
    }
    return names;
  };
  return (kind, name) => {
    const key = `${kind}/${name}`;
    let vars = cache.get(key);
    if (!vars) cache.set(key, (vars = read(dir, kind, name, listed(kind))));
    return vars;
  };
}

function read(dir: string, kind: 'group_vars' | 'host_vars', name: string, present: Set<string>): Vars {
  for (const ext of EXTENSIONS) {
    if (!present.has(`${name}${ext}`)) continue;
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
  const vars = top.toJS(doc) as Vars;
  for (const pair of top.items as Pair<Node, Node | null>[])
    if (isScalar(pair.key)) recordOrigin(vars[String(pair.key.value)], pair.value, where);
  return vars;
}
