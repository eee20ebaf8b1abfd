import type { HostReport } from '../../src/core/types.js';
import { makeDocument, type ReportDocument } from '../../src/report/document.js';

/** Hostile text as the build user could plant it in names, summaries and plans. */
export const HOSTILE = `<img src=x onerror="document.title='pwned'"></script><script>document.title='pwned'</script>\u2028'"&`;

const pad = (i: number) => String(i).padStart(4, '0');

/**
 * A generated audit of `n` hosts (n ≥ 100): mostly ok; 10% purge drift (numbers differ per host, the shape
 * does not); 3% a bad config naming the host; 2% unreachable; one host with a hostile name and reasons.
 */
export function generatedAudit(n: number): ReportDocument {
  const hosts: HostReport[] = [];
  for (let i = 1; i <= n; i++) {
    const host = `bld-${pad(i)}`;
    const pct = (i * 100) / n;
    const clobber = { check: 'clobber', status: 'ok' as const, summary: 'nothing pending', durationMs: 1 };
    if (pct <= 10) {
      const dirs = 2 + (i % 5);
      hosts.push({
        host,
        results: [
          clobber,
          {
            check: 'purge',
            status: 'drift',
            summary: `delete ${dirs} dirs (${dirs * 1.5} GB): free ${i % 9} GB → ${(i % 9) + dirs} GB`,
            plan: purgePlan(Array.from({ length: dirs }, (_, k) => `/builds/job-${i}-${k}`)),
            durationMs: 3,
          },
        ],
      });
    } else if (pct <= 13) {
      const detail = `invalid config ${host}:/etc/runner/runner.yaml:\n  4:31: checks[1].purge.free: expected a size like 20GB, got "20 gigs"`;
      hosts.push({ host, results: [], failure: { stage: 'config', detail } });
    } else if (pct <= 15) {
      hosts.push({
        host,
        results: [],
        failure: { stage: 'connect', reason: 'timeout', detail: 'no SSH handshake within 10s' },
      });
    } else hosts.push({ host, results: [clobber, { ...clobber, check: 'purge', summary: 'enough free space' }] });
  }
  hosts.push({
    host: `evil${HOSTILE}`,
    results: [
      {
        check: 'purge',
        status: 'failed',
        summary: `reading ${HOSTILE}: denied`,
        plan: purgePlan([`/builds/${HOSTILE}`]),
        durationMs: 1,
      },
    ],
  });
  return makeDocument('audit', new Date('2024-05-01T10:00:00Z'), hosts);
}

/** A purge plan of the real shape (what `explain` and the HTML report read). */
export function purgePlan(paths: string[]) {
  return {
    delete: paths.map((path) => ({
      path,
      base: { path: '/builds', dev: 1, ino: 2 },
      name: path.split('/').pop(),
      sizeBytes: 1_500_000_000,
      mtime: '2024-04-01T08:00:00.000Z',
      reason: 'age',
      dev: 1,
      ino: 3,
      uid: 1000,
    })),
    volumes: [{ dirs: ['/builds'], freeBytes: 1e9, predictedFreeBytes: 5e9, shortBytes: 0 }],
    protected: [{ path: '/builds/info', why: 'kept by keep: info' }],
  };
}
