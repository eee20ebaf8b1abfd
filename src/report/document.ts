import { exitCodeFor, tally, type Tally } from '../core/outcome.js';
import type { HostReport, Mode } from '../core/types.js';
import type { AuditDiff } from './diff.js';
import { VERSION } from '../core/version.js';

/** The versioned report every format renders: hosts → results (2: a host's failure is `failure`, not pseudo-checks). */
export interface ReportDocument {
  version: 2;
  /** the runner that made it (`runner --version`) */
  runner: string;
  command: Mode | 'audit';
  startedAt: string;
  durationMs: number;
  exitCode: number;
  tally: Tally;
  hosts: HostReport[];
  /** `audit --diff PREVIOUS.json`: what changed since that audit */
  diff?: AuditDiff;
}

export function makeDocument(command: ReportDocument['command'], started: Date, hosts: HostReport[]): ReportDocument {
  return {
    version: 2,
    runner: VERSION,
    command,
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
    exitCode: exitCodeFor(hosts),
    tally: tally(hosts),
    hosts,
  };
}
