import type { Inventory, Vars } from './model.js';
import type { VarsReader } from './vars-files.js';

/**
 * A host's vars with Ansible's precedence (lowest first): 'all' group vars, other group vars (by depth,
 * ansible_group_priority, name), group_vars/all, group_vars/<group> in the same order, inline host vars,
 * host_vars/<host>. Top-level keys replace, they do not merge (hash_behaviour = replace).
 */
export function hostVars(inv: Inventory, host: string, varsFor: VarsReader | undefined): Vars {
  const groups = sortGroups(
    inv,
    inv.groupsOf(host).filter((g) => g !== 'all'),
  );
  const fromFile = (kind: 'group_vars' | 'host_vars', name: string) =>
    varsFor === undefined ? {} : varsFor(kind, name);
  return Object.assign(
    {},
    inv.groups.get('all')?.vars,
    ...groups.map((g) => inv.groups.get(g)?.vars),
    fromFile('group_vars', 'all'),
    ...groups.map((g) => fromFile('group_vars', g)),
    inv.hosts.get(host)?.vars,
    fromFile('host_vars', host),
  );
}

function sortGroups(inv: Inventory, names: string[]): string[] {
  const depth = new Map<string, number>();
  const key = (n: string) => [inv.depth(n, depth), inv.groups.get(n)?.priority ?? 1] as const;
  return [...names].sort((a, b) => {
    const [da, pa] = key(a);
    const [db, pb] = key(b);
    return da - db || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
  });
}
