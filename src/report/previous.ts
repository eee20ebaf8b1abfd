import { ConfigError } from '../core/errors.js';
import { STATUSES } from '../core/outcome.js';
import type { Status } from '../core/types.js';
import type { ReportDocument } from './document.js';

const STAGES = ['connect', 'config', 'interrupted'];

/** A previous `runner audit --format json` document, checked as far as --diff reads it; else a ConfigError naming the file. */
export function parsePrevious(text: string, file: string): ReportDocument {
  const bad = (why: string) => new ConfigError(`--diff ${file}: not a runner audit JSON document: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(`not JSON (${(err as Error).message})`);
  }
  if (!isObject(doc)) throw bad('not a JSON object');
  if (doc.version !== 2) throw bad(`version ${JSON.stringify(doc.version)}; this runner reads version 2`);
  if (doc.command !== 'audit')
    throw bad(`command ${JSON.stringify(doc.command)}: a runner ${String(doc.command)} report, not an audit's`);
  if (typeof doc.startedAt !== 'string') throw bad('startedAt is not a string');
  if (!Array.isArray(doc.hosts)) throw bad('hosts is not a list');
  doc.hosts.forEach((h: unknown, i: number) => {
    const problem = hostProblem(h);
    if (problem) throw bad(`hosts[${i}]${problem}`);
  });
  return doc as unknown as ReportDocument;
}

function hostProblem(h: unknown): string | undefined {
  if (!isObject(h)) return ' is not an object';
  if (typeof h.host !== 'string') return '.host is not a string';
  if (!Array.isArray(h.results)) return '.results is not a list';
  for (const [j, r] of h.results.entries()) {
    if (!isObject(r) || typeof r.check !== 'string') return `.results[${j}].check is not a string`;
    if (!STATUSES.includes(r.status as Status))
      return `.results[${j}].status ${JSON.stringify(r.status)} is not a status`;
  }
  if (h.failure === undefined) return undefined;
  if (!isObject(h.failure) || !STAGES.includes(h.failure.stage as string) || typeof h.failure.detail !== 'string')
    return '.failure is not {stage, reason?, detail}';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
