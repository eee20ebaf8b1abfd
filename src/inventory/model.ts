/** Ansible's inventory data (lib/ansible/inventory/data.py): groups, hosts, their vars and relations. */
export type Vars = Record<string, unknown>;

export interface Group {
  name: string;
  /** hosts listed directly in this group, in order */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  priority: number;
}

export interface InvHost {
  name: string;
  vars: Vars;
  /** groups listing this host directly */
  groups: string[];
}

export class InventoryError extends Error {
  override name = 'InventoryError';
}

export class Inventory {
  readonly groups = new Map<string, Group>();
  readonly hosts = new Map<string, InvHost>();
  readonly warnings: string[] = [];

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string): Group {
    let g = this.groups.get(name);
    if (!g) this.groups.set(name, (g = { name, hosts: [], children: [], parents: [], vars: {}, priority: 1 }));
    return g;
  }

  /** A host is created once; a `:port` applies only then, as in Ansible. */
  addHost(name: string, group: string, port?: number): InvHost {
    let h = this.hosts.get(name);
    if (!h) {
      this.hosts.set(name, (h = { name, vars: {}, groups: [] }));
      if (port !== undefined) h.vars.ansible_port = port;
    }
    // h.groups and g.hosts change together, so the host's (short) list says whether the group has it
    if (!h.groups.includes(group)) {
      h.groups.push(group);
      this.addGroup(group).hosts.push(name);
    }
    return h;
  }

  setGroupVar(group: string, key: string, value: unknown): void {
    const g = this.addGroup(group);
    if (key === 'ansible_group_priority') g.priority = Number(value);
    else g.vars[key] = value;
  }

  addChild(parent: string, child: string): void {
    const p = this.addGroup(parent);
    const c = this.addGroup(child);
    if (p.children.includes(child)) return;
    if (parent === child || this.descendants(child).includes(parent)) {
      throw new InventoryError(`Adding group '${child}' as child to '${parent}' creates a recursive dependency loop.`);
    }
    p.children.push(child);
    c.parents.push(parent);
  }

  /** Group names below `name`, breadth first, in declaration order. */
  descendants(name: string, includeSelf = false): string[] {
    const out: string[] = includeSelf ? [name] : [];
    let level = [name];
    while (level.length) {
      const next: string[] = [];
      for (const g of level)
        for (const c of this.groups.get(g)?.children ?? [])
          if (!out.includes(c) && c !== name) (out.push(c), next.push(c));
      level = next;
    }
    return out;
  }

  ancestors(name: string): string[] {
    const out: string[] = [];
    const visit = (g: string) => {
      for (const p of this.groups.get(g)?.parents ?? []) if (!out.includes(p)) (out.push(p), visit(p));
    };
    visit(name);
    return out;
  }

  /** Every group a host belongs to, directly or through children ('all' included). */
  groupsOf(host: string): string[] {
    const direct = this.hosts.get(host)?.groups ?? [];
    return [...new Set(direct.flatMap((g) => [g, ...this.ancestors(g)]))];
  }

  /** The hosts of a group and its descendants, in order, once each. */
  hostsOf(group: string): string[] {
    if (group === 'all') return [...this.hosts.keys()];
    return [...new Set(this.descendants(group, true).flatMap((g) => this.groups.get(g)?.hosts ?? []))];
  }

  /** Longest path from 'all', as Ansible's Group.depth. */
  depth(name: string, seen = new Map<string, number>()): number {
    if (name === 'all') return 0;
    const known = seen.get(name);
    if (known !== undefined) return known;
    const parents = this.groups.get(name)?.parents ?? [];
    const d = parents.length ? 1 + Math.max(...parents.map((p) => this.depth(p, seen))) : 0;
    seen.set(name, d);
    return d;
  }

  /** After parsing: parentless groups go under 'all'; hosts in no other group go to 'ungrouped'. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped') as Group;
    const leaving = new Set<string>();
    for (const h of this.hosts.values()) {
      const others = h.groups.filter((g) => g !== 'all' && g !== 'ungrouped');
      if (others.length && h.groups.includes('ungrouped')) {
        leaving.add(h.name);
        h.groups = h.groups.filter((g) => g !== 'ungrouped');
      } else if (others.length === 0 && !h.groups.includes('ungrouped')) {
        this.addHost(h.name, 'ungrouped');
      }
      h.groups = h.groups.filter((g) => g !== 'all');
    }
    if (leaving.size) ungrouped.hosts = ungrouped.hosts.filter((n) => !leaving.has(n));
    // every host is in 'all' implicitly; Ansible lists none under it
    (this.groups.get('all') as Group).hosts = [];
  }
}
