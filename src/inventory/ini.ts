import { expandHostPattern } from './hosts.js';
import { parseIniValue } from './literal.js';
import { checkRunnerInput } from './runner-inputs.js';
import { Inventory, InventoryError } from './model.js';
import { shlexSplit } from './shlex.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

/** Ansible's INI inventory format (plugins/inventory/ini.py), errors as "file:line: message". */
export function parseIni(text: string, file: string, inv = new Inventory()): Inventory {
  let group = 'ungrouped';
  let state = 'hosts';
  const pending = new Map<string, Pending>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const lineNo = i + 1;
    const fail = (msg: string): never => {
      throw new InventoryError(`${file}:${lineNo}: ${msg}`);
    };
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = SECTION.exec(line);
    if (section) {
      [group, state] = [section[1] as string, section[2] ?? 'hosts'];
      if (!['hosts', 'children', 'vars'].includes(state))
        fail(`Section [${group}:${state}] has unknown type: ${state}`);
      if (!inv.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
        inv.addGroup(group);
      }
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        for (const parent of waiting.state === 'children' ? waiting.parents : [])
          guard(() => inv.addChild(parent, group), fail);
        pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(
        `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
      );
    }
    if (state === 'hosts') hostLine(inv, line, group, fail, `${file}:${lineNo}`);
    else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq === -1) fail(`Expected key=value, got: ${line}`);
      const [key, text] = [line.slice(0, eq).trim(), line.slice(eq + 1).trim()];
      const value = parseIniValue(text);
      checkRunnerInput(key, value, text, `${file}:${lineNo}: group ${group}`);
      inv.setGroupVar(group, key, value);
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) fail(`Invalid group name: ${line}`);
      const child = (m as RegExpExecArray)[1] as string;
      if (inv.groups.has(child)) guard(() => inv.addChild(group, child), fail);
      else {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { line: lineNo, state: 'children', parents: [group] });
      }
    }
  }
  for (const [name, p] of pending) {
    if (p.state === 'vars')
      throw new InventoryError(`${file}:${p.line}: Section [${name}:vars] not valid for undefined group: ${name}`);
    throw new InventoryError(
      `${file}:${p.line}: Section [${p.parents.at(-1)}:children] includes undefined group: ${name}`,
    );
  }
  return inv;
}

function hostLine(inv: Inventory, line: string, group: string, fail: (msg: string) => never, where: string): void {
  let tokens: string[] = [];
  try {
    tokens = shlexSplit(line);
  } catch (err) {
    fail(`Error parsing host definition '${line}': ${(err as Error).message}`);
  }
  if (tokens.length === 0) return;
  const { names, port } = guard(() => expandHostPattern(tokens[0] as string), fail);
  const vars: Record<string, unknown> = {};
  for (const t of tokens.slice(1)) {
    const eq = t.indexOf('=');
    if (eq === -1) fail(`Expected key=value host variable assignment, got: ${t}`);
    const [key, text] = [t.slice(0, eq), t.slice(eq + 1)];
    vars[key] = parseIniValue(text);
    checkRunnerInput(key, vars[key], text, `${where}: host ${tokens[0]}`);
  }
  for (const name of names) Object.assign(inv.addHost(name, group, port).vars, vars);
}

function guard<T>(fn: () => T, fail: (msg: string) => never): T {
  try {
    return fn();
  } catch (err) {
    return fail((err as Error).message);
  }
}
