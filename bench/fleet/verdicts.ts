import { readFileSync } from 'node:fs';
import type { ReportDocument } from '../../src/report/document.js';
import type { Variant } from './hosts.js';
import type { Side } from './sides.js';

/** What every benched host must report: the fixture has drift for purge, clobber and processes, none for tools and puppet. */
export const EXPECTED: Record<string, string> = {
  purge: 'drift',
  clobber: 'drift',
  tools: 'ok',
  puppet: 'ok',
  processes: 'drift',
};

/** Throws unless the run saw exactly the expected verdicts on every host: a fast run that found nothing would prove nothing. */
export function checkVerdicts(side: Side, hosts: number, variant: Variant): void {
  if (side.name === 'runner' || side.name === 'before') checkRunner(side.output, hosts, variant);
  if (side.name === 'ansible') checkAnsible(side.output, hosts);
}

function checkRunner(file: string, hosts: number, variant: Variant): void {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as ReportDocument;
  if (doc.hosts.length !== hosts) throw new Error(`runner reported ${doc.hosts.length} hosts, expected ${hosts}`);
  for (const h of doc.hosts) {
    const got = Object.fromEntries(h.results.map((r) => [r.check, r.status]));
    for (const [check, status] of Object.entries(EXPECTED).filter(([c]) => variant === 'all' || c !== 'tools')) {
      if (got[check] !== status) {
        const why = h.results.find((r) => r.check === check)?.summary ?? 'not run';
        throw new Error(`runner: ${h.host} ${check} is ${got[check]}, expected ${status}: ${why}`);
      }
    }
  }
}

/** The play recap: each of the 3 drifted checks has one "changed" verdict task, and nothing failed or was unreachable. */
function checkAnsible(file: string, hosts: number): void {
  const recap = readFileSync(file, 'utf8');
  const rows = [...recap.matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  if (rows.length !== hosts)
    throw new Error(`ansible recap has ${rows.length} hosts, expected ${hosts}:\n${recap.slice(-3000)}`);
  const drifted = Object.values(EXPECTED).filter((s) => s === 'drift').length;
  for (const [, host, , changed, unreachable, failed] of rows) {
    if (Number(changed) !== drifted || unreachable !== '0' || failed !== '0') {
      throw new Error(
        `ansible: ${host} changed=${changed} unreachable=${unreachable} failed=${failed}, expected changed=${drifted}:\n${recap.slice(-3000)}`,
      );
    }
  }
}
