import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { expandHostPattern } from './hosts.js';
import { Inventory, InventoryError } from './model.js';
import { ansibleTags } from './pyyaml-schema.js';
import { checkYamlInput } from './runner-inputs.js';

/** YAML 1.1, as PyYAML reads it for Ansible: `yes` is true, `0755` is 493, `y` is a string. */
export function parseYaml(text: string, file: string): { doc: Document.Parsed; where: (node: unknown) => string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: ansibleTags,
    lineCounter: lines,
    uniqueKeys: false,
    prettyErrors: false,
  });
  const first = doc.errors[0];
  if (first) {
    throw new InventoryError(`${file}:${lines.linePos(first.pos[0]).line}: ${first.message.split('\n')[0]}`);
  }
  const where = (node: unknown) => {
    const range = (node as Node | null)?.range;
    return `${file}:${range ? lines.linePos(range[0]).line : 1}`;
  };
  return { doc, where };
}

/** A YAML file configuring an inventory plugin: no use reading it as INI. */
export class PluginConfigError extends InventoryError {}

/** Ansible's YAML inventory format (plugins/inventory/yaml.py). */
export function parseYamlInventory(text: string, file: string, inv = new Inventory()): Inventory {
  const { doc, where } = parseYaml(text, file);
  const top = doc.contents;
  if (top === null || (isScalar(top) && (top.value === null || top.value === '')))
    throw new InventoryError(`${file}:1: Parsed empty YAML file`);
  if (!isMap(top))
    throw new InventoryError(`${where(top)}: YAML inventory has invalid structure, it should be a dictionary`);
  if (top.get('plugin'))
    throw new PluginConfigError(
      `${where(top)}: a plugin configuration (dynamic inventory) is not supported; list the hosts in an INI or YAML inventory`,
    );
  const ctx = { inv, doc, where };
  for (const pair of top.items as Pair<Node, Node | null>[]) parseGroup(ctx, keyOf(pair, where), pair.value);
  return inv;
}

interface Ctx {
  inv: Inventory;
  doc: Document.Parsed;
  where: (node: unknown) => string;
}

function keyOf(pair: Pair<Node, unknown>, where: (n: unknown) => string): string {
  const key = isScalar(pair.key) ? pair.key.value : undefined;
  if (key === undefined || key === null || typeof key === 'object')
    throw new InventoryError(`${where(pair.key)}: expected a name as key`);
  return String(key);
}

function parseGroup(ctx: Ctx, group: string, node: Node | null): string {
  if (node !== null && !isMap(node) && !(isScalar(node) && node.value === null)) {
    ctx.inv.warnings.push(`${ctx.where(node)}: Skipping '${group}' as this is not a valid group definition`);
    return group;
  }
  ctx.inv.addGroup(group);
  if (!isMap(node)) return group;
  for (const pair of node.items as Pair<Node, Node | null>[]) {
    const key = keyOf(pair, ctx.where);
    const value = sectionOf(ctx, group, key, pair.value);
    if (value === undefined) continue;
    if (!['vars', 'children', 'hosts'].includes(key)) {
      ctx.inv.warnings.push(
        `${ctx.where(pair.key)}: Skipping unexpected key (${key}) in group (${group}), only "vars", "children" and "hosts" are valid`,
      );
      continue;
    }
    for (const item of value.items as Pair<Node, Node | null>[]) sectionItem(ctx, group, key, item);
  }
  return group;
}

/** A section as a map; a plain string `hosts: h1` means `{h1: null}`; null or a non-mapping is skipped. */
function sectionOf(ctx: Ctx, group: string, key: string, value: Node | null) {
  if (isScalar(value) && typeof value.value === 'string' && ['vars', 'children', 'hosts'].includes(key)) {
    return ctx.doc.createNode({ [value.value]: null }) as unknown as { items: unknown[] };
  }
  if (isMap(value)) return value;
  if (value !== null && !(isScalar(value) && value.value === null)) {
    if (['vars', 'children', 'hosts'].includes(key)) {
      throw new InventoryError(
        `${ctx.where(value)}: Invalid "${key}" entry for "${group}" group, requires a dictionary`,
      );
    }
    ctx.inv.warnings.push(`${ctx.where(value)}: Skipping key (${key}) in group (${group}) as it is not a mapping`);
  }
  return undefined;
}

function sectionItem(ctx: Ctx, group: string, key: string, item: Pair<Node, Node | null>): void {
  const { inv, where } = ctx;
  const fail = (err: unknown): never => {
    throw new InventoryError(`${where(item.key)}: ${(err as Error).message}`);
  };
  const toJS = (node: Node | null) => () => node?.toJS(ctx.doc) ?? null;
  if (key === 'vars') {
    const name = keyOf(item, where);
    checkYamlInput(name, item.value, toJS(item.value), `${where(item.value ?? item.key)}: group ${group}`);
    return inv.setGroupVar(group, name, toJS(item.value)());
  }
  if (key === 'children') {
    const child = parseGroup(ctx, keyOf(item, where), item.value);
    try {
      inv.addChild(group, child);
    } catch (err) {
      fail(err);
    }
    return;
  }
  const raw = isScalar(item.key) ? item.key.value : undefined;
  if (typeof raw !== 'string')
    throw new InventoryError(
      `${where(item.key)}: Host pattern ${String(raw)} must be a string. Enclose integers/floats in quotation marks.`,
    );
  if (isMap(item.value))
    for (const pair of item.value.items as Pair<Node, Node | null>[])
      checkYamlInput(keyOf(pair, where), pair.value, toJS(pair.value), `${where(pair.value ?? pair.key)}: host ${raw}`);
  const vars = item.value?.toJS(ctx.doc) ?? {};
  if (typeof vars !== 'object' || Array.isArray(vars))
    throw new InventoryError(`${where(item.value)}: host vars of ${raw} must be a mapping`);
  let expanded: { names: string[]; port?: number } = { names: [] };
  try {
    expanded = expandHostPattern(raw);
  } catch (err) {
    fail(err);
  }
  for (const name of expanded.names) Object.assign(inv.addHost(name, group, expanded.port).vars, vars);
}
