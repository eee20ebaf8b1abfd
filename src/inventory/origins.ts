import { isMap, isScalar, isSeq, type Node } from 'yaml';

/** Where a path inside a var's value was written: `file:line` of the closest key that exists. */
export type Origin = (path: readonly PropertyKey[]) => string;

// keyed by the value itself: vars are merged by reference (top-level keys replace), so the winner keeps its origin
const origins = new WeakMap<object, Origin>();

/** Records where the value of one var (a mapping or list) was read, so errors about it can name file and line. */
export function recordOrigin(value: unknown, node: Node | null, where: (node: unknown) => string): void {
  if (value === null || typeof value !== 'object' || node === null) return;
  origins.set(value, (path) => where(closest(node, path)));
}

/** The key node of the deepest part of `path` under `node` (a key's line, not its value's), else `node`. */
function closest(node: Node, path: readonly PropertyKey[]): unknown {
  let at: unknown = node;
  let found: unknown = node;
  for (const step of path) {
    if (isSeq(at) && typeof step === 'number' && at.items[step]) {
      found = at = at.items[step];
      continue;
    }
    if (!isMap(at)) return found;
    const pair = at.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
    if (!pair) return found;
    found = pair.key;
    at = pair.value;
  }
  return found;
}

/** Where a var's value was read (a group_vars or host_vars file), if runner read it from one. */
export function originOf(value: unknown): Origin | undefined {
  return value !== null && typeof value === 'object' ? origins.get(value) : undefined;
}
