import { parse as parseYaml } from 'yaml';
import { formatDuration } from '../../core/units.js';
import { puppetSummaryYaml } from './summary-yaml.js';

/** The parts of last_run_summary.yaml runner judges; a missing count reads as 0. */
export interface RunSummary {
  /** epoch seconds of the run; undefined when the file has none */
  lastRun: number | undefined;
  total: number;
  failed: number;
  failedToRestart: number;
  outOfSync: number;
  changed: number;
  failureEvents: number;
  noopEvents: number;
}

export function parseSummary(text: string, source: string): RunSummary {
  let doc: unknown = puppetSummaryYaml(text);
  try {
    doc ??= parseYaml(text);
  } catch (err) {
    throw new Error(`${source} is not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object') throw new Error(`${source} is not a puppet run summary`);
  const num = (section: string, key: string) => {
    const v = (doc as Record<string, Record<string, unknown> | undefined>)[section]?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  return {
    lastRun: num('time', 'last_run'),
    total: num('resources', 'total') ?? 0,
    failed: num('resources', 'failed') ?? 0,
    failedToRestart: num('resources', 'failed_to_restart') ?? 0,
    outOfSync: num('resources', 'out_of_sync') ?? 0,
    changed: num('resources', 'changed') ?? 0,
    failureEvents: num('events', 'failure') ?? 0,
    noopEvents: num('events', 'noop') ?? 0,
  };
}

/** Why this summary is drift; empty when it is a recent, complete, clean run. */
export function judge(s: RunSummary, nowMs: number, maxAgeMs: number): string[] {
  const reasons: string[] = [];
  if (s.lastRun === undefined) reasons.push('the summary has no time.last_run');
  else if (nowMs - s.lastRun * 1000 > maxAgeMs) {
    reasons.push(`last run ${formatDuration(nowMs - s.lastRun * 1000)} ago (max_age ${formatDuration(maxAgeMs)})`);
  }
  if (s.total === 0) reasons.push('no catalog applied (0 resources)');
  if (s.failed > 0) reasons.push(`${s.failed} resources failed`);
  if (s.failedToRestart > 0) reasons.push(`${s.failedToRestart} resources failed to restart`);
  if (s.failureEvents > 0) reasons.push(`${s.failureEvents} failure events`);
  // a real run changes what is out of sync; what a --noop run found stays pending
  const pending = Math.max(s.outOfSync - s.changed - s.failed, s.noopEvents);
  if (pending > 0) reasons.push(`${pending} resources out of sync (noop)`);
  return reasons;
}

/** `puppet config print a b`: "a = value" lines. */
export function parseConfigPrint(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\w+) = (.*)$/.exec(line.trim());
    if (m) out.set(m[1] as string, (m[2] as string).trim());
  }
  return out;
}

/** agent_disabled.lock: `{"disabled_message": "..."}`, or whatever text it holds. */
export function lockMessage(text: string): string {
  try {
    const msg = (JSON.parse(text) as { disabled_message?: unknown }).disabled_message;
    if (typeof msg === 'string' && msg.trim()) return msg.trim();
  } catch {
    // not JSON: the text itself is the message
  }
  return text.trim() || 'no reason given';
}

/** Resources a --noop run would change: "Notice: /Stage[main]/Main/File[/x]/content: current_value …, should be … (noop)". */
export function pendingResources(output: string): string[] {
  const found: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^Notice: \/Stage\[[^\]]*\]\/(.+?): .*\(noop\)\s*$/.exec(line);
    if (m && !found.includes(m[1] as string)) found.push(m[1] as string);
  }
  return found;
}

/** puppet's `Error:` lines, without Facter's harmless permission complaints in containers. */
export function errorLines(output: string, max = 5): string[] {
  const lines = output.split('\n').filter((l) => l.startsWith('Error: ') && !l.startsWith('Error: Facter: '));
  return [...new Set(lines.map((l) => l.trim()))].slice(0, max);
}
