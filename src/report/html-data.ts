import { checks } from '../checks/api.js';
import { failureStatus } from '../core/outcome.js';
import { planOf, type HostReport, type Result } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { failedBeforeChecks } from './failure.js';
import { checkIds, hostVerdict } from './verdict.js';

/** One host as the page's script reads it: short keys, since a pool's page carries thousands. */
interface PageHost {
  h: string;
  v: string;
  /** the status per check ('' when the host has no such check) */
  c: string[];
  /** a host that failed before its checks: the text spanning its row */
  t?: string;
  r: (Pick<Result, 'check' | 'status' | 'summary' | 'warnings'> & { plan?: unknown; explain?: string[] })[];
  f?: HostReport['failure'];
  n?: string[];
}

export interface PageData {
  checks: string[];
  hosts: PageHost[];
}

export function pageData(doc: ReportDocument): PageData {
  const ids = checkIds(doc);
  return { checks: ids, hosts: doc.hosts.map((h) => pageHost(h, ids)) };
}

function pageHost(h: HostReport, ids: string[]): PageHost {
  const before = failedBeforeChecks(h);
  const span = before ? failureStatus(before) : undefined;
  const notes = [h.lock?.summary, h.pending?.summary].filter((n): n is string => n !== undefined);
  return {
    h: h.host,
    v: hostVerdict(h),
    c: ids.map((id) => span ?? h.results.find((r) => r.check === id)?.status ?? ''),
    ...(before ? { t: `${span}: ${before.reason ? `${before.reason}: ` : ''}${oneLine(before.detail)}` } : {}),
    r: h.results.map(pageResult),
    ...(h.failure ? { f: h.failure } : {}),
    ...(notes.length ? { n: notes } : {}),
  };
}

function pageResult(r: Result): PageHost['r'][number] {
  const plan = planOf(r);
  const explain = plan !== undefined && r.status === 'drift' ? checks.get(r.check)?.explain : undefined;
  return {
    check: r.check,
    status: r.status,
    summary: r.summary,
    ...(r.warnings?.length ? { warnings: r.warnings } : {}),
    ...(plan !== undefined ? { plan } : {}),
    ...(explain ? { explain: safeExplain(explain, plan) } : {}),
  };
}

/** A plan that does not read as its check's (an older runner's, say) is still shown, as JSON. */
function safeExplain(explain: (plan: never) => string[], plan: unknown): string[] | undefined {
  try {
    return explain(plan as never);
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .join(' ');
}
