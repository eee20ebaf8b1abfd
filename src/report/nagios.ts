import type { Status } from '../core/types.js';
import type { ReportDocument } from './document.js';
import { failureText } from './failure.js';
import { perfLabel, pluginText } from './nagios-text.js';

/** The plugin states of the Nagios plugin guidelines, as their exit codes. */
export const NAGIOS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
type State = keyof typeof NAGIOS;

// monitoring-plugins' max_state: critical outranks warning, which outranks unknown
const RANK: Record<State, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };
const STATE_OF: Record<Status, State> = {
  ok: 'ok',
  skipped: 'ok',
  changed: 'ok',
  drift: 'warning',
  failed: 'critical',
  unreachable: 'critical',
};
const MAX_NAMES = 10;
const MAX_LONG_LINES = 100;

interface Row {
  name: string;
  state: State;
  words: string;
  summary: string;
  durationMs?: number;
}

/** Every check of every host as a plugin row; a host failure is a row of its stage (a broken config: unknown). */
function rowsOf(doc: ReportDocument): Row[] {
  const many = doc.hosts.length > 1;
  return doc.hosts.flatMap((h) => {
    const name = (what: string) => (many ? `${h.host}/${what}` : what);
    const rows: Row[] = h.results.map((r) => ({
      name: name(r.check),
      state: STATE_OF[r.status],
      words: r.status,
      summary: r.summary,
      durationMs: r.durationMs,
    }));
    const f = h.failure;
    if (f) {
      const state = f.stage === 'connect' ? 'critical' : 'unknown';
      const words = f.stage === 'connect' ? 'unreachable' : f.stage === 'config' ? 'broken config' : 'not run';
      rows.push({ name: name(f.stage), state, words, summary: failureText(h.host, f) });
    }
    return rows;
  });
}

/** The worst state of the run; a run with no rows at all is unknown (nothing ran). */
export function nagiosState(doc: ReportDocument): number {
  return NAGIOS[worst(rowsOf(doc))];
}

function worst(rows: readonly Row[]): State {
  if (rows.length === 0) return 'unknown';
  return rows.reduce<State>((w, r) => (RANK[r.state] > RANK[w] ? r.state : w), 'ok');
}

/** One status line `RUNNER STATE - summary | perfdata`, then the long text: each row that is not ok, the notes. */
export function renderNagios(doc: ReportDocument): string {
  const rows = rowsOf(doc);
  const state = worst(rows);
  const long = rows.filter((r) => r.state !== 'ok').map((r) => `${r.name}: ${r.words}: ${r.summary}`);
  for (const h of doc.hosts) for (const note of [h.lock, h.pending]) if (note) long.push(`note: ${note.summary}`);
  if (long.length > MAX_LONG_LINES) long.splice(MAX_LONG_LINES, long.length, `… ${long.length - MAX_LONG_LINES} more`);
  const perf = perfdata(rows);
  const head = `RUNNER ${state.toUpperCase()} - ${pluginText(summaryOf(rows, state))}${perf ? ` | ${perf}` : ''}`;
  return `${[head, ...long.map((l) => pluginText(l))].join('\n')}\n`;
}

/** "failed: clobber; drift: purge, temp", or how many checks were ok. */
function summaryOf(rows: readonly Row[], state: State): string {
  if (rows.length === 0) return 'nothing ran';
  if (state === 'ok') return `${rows.length} check${rows.length === 1 ? '' : 's'} ok`;
  const groups = new Map<string, string[]>();
  for (const r of [...rows].sort((a, b) => RANK[b.state] - RANK[a.state]))
    if (r.state !== 'ok') groups.set(r.words, [...(groups.get(r.words) ?? []), r.name]);
  return [...groups].map(([words, names]) => `${words}: ${listed(names)}`).join('; ');
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).join(', ');
  return names.length > MAX_NAMES ? `${shown} and ${names.length - MAX_NAMES} more` : shown;
}

/** Per row: its state (0-3, warn 1, crit 2) and, for a check, its duration in seconds. */
function perfdata(rows: readonly Row[]): string {
  return rows
    .flatMap((r) => {
      const status = `${perfLabel(`${r.name}_status`)}=${NAGIOS[r.state]};1;2;0;3`;
      if (r.durationMs === undefined) return [status];
      return [status, `${perfLabel(`${r.name}_seconds`)}=${(r.durationMs / 1000).toFixed(3)}s;;;0`];
    })
    .join(' ');
}

/** The plugin's answer when nothing could run (a bad config or argument): unknown, naming what was wrong. */
export function nagiosUnknown(message: string): string {
  const [first = '', ...rest] = message.trim().split('\n');
  return `${[`RUNNER UNKNOWN - ${pluginText(first)}`, ...rest.map((l) => pluginText(l))].join('\n')}\n`;
}
