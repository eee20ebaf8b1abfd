import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { PlanFile } from '../core/plan-file.js';
import { ensurePrivateDir, removeIfPresent, writeText } from '../host/local-files.js';

/**
 * The plan file of an inventory host in DIR: `<name>.json`, the name the apply-plans playbook looks up
 * (`{{ inventory_hostname }}.json`). A name that could leave DIR or hide in it is refused, never rewritten.
 */
export function planFileName(host: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = host === '' || host === '.' || host === '..' || /[/\\\x00-\x1f\x7f]/.test(host);
  if (bad)
    throw new ConfigError(
      `--plan-out: inventory host ${JSON.stringify(host)} cannot name a plan file (empty, '.', '..', a slash or a control character)`,
    );
  return `${host}.json`;
}

/** --plan-out DIR, before any host is contacted: every name usable, DIR ours (created 0700 when absent). */
export async function preparePlanDir(dir: string, hosts: readonly string[]): Promise<void> {
  for (const h of hosts) planFileName(h);
  await ensurePrivateDir(dir, '--plan-out');
}

export interface PlansWritten {
  written: string[];
  removed: string[];
  /** drifted hosts that got no plan, and why */
  none: string[];
}

/**
 * Writes each drifted host's plan (atomically: a temp file, then rename), and removes the plan a host had from
 * an earlier audit when it has none now, so the playbook never applies a stale one.
 */
export async function writePlans(dir: string, plans: Map<string, PlanFile | { none: string } | undefined>) {
  const out: PlansWritten = { written: [], removed: [], none: [] };
  for (const [host, plan] of plans) {
    const file = join(dir, planFileName(host));
    if (plan && !('none' in plan)) {
      await writeText(file, `${JSON.stringify(plan, null, 2)}\n`);
      out.written.push(host);
      continue;
    }
    if (plan && plan.none !== 'no drift') out.none.push(`${host}: ${plan.none}`);
    if (await removeIfPresent(file)) out.removed.push(host);
  }
  return out;
}
