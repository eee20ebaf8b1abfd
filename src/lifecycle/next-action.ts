import type { Lifecycle } from '../config/lifecycle.js';
import { formatDuration } from '../core/units.js';
import type { DaemonState, NextAction } from '../report/snapshot.js';

export interface NextContext {
  event: string;
  state: DaemonState | undefined;
  fields: Record<string, unknown>;
  lc: Lifecycle;
  now: Date;
  iteration: number;
  /** a signal has come: nothing more starts */
  signalled: boolean;
}

/** What the daemon does next after an event (for last_run.json and `runner status`); undefined keeps the last. Pure. */
export function nextAction(c: NextContext): NextAction | undefined {
  const at = (ms: number) => new Date(c.now.getTime() + ms).toISOString();
  const { lc } = c;
  if (c.state === 'exit') return { action: 'none: the daemon has exited' };
  if (c.event === 'signal') return { action: String(c.fields.then) };
  if (c.event === 'stopping')
    return {
      action: `wait for the worker's session to end (SIGTERM, then SIGKILL after ${formatDuration(lc.drain.stop_grace)})`,
    };
  if (c.signalled && c.state !== 'halt') return c.state ? { action: 'exit once the running step ends' } : undefined;
  switch (c.state) {
    case 'preflight':
      return { action: 'run the pre-flight checks, then start the worker' };
    case 'starting':
      return { action: 'wait for the worker to attach; a failed try if it has not by then', at: at(lc.attach_timeout) };
    case 'attached':
      return attached(lc, at);
    case 'draining':
      return {
        action: 'wait for the worker to finish its build and exit; its session is killed if it has not by then',
        at: at(lc.drain.deadline),
      };
    case 'stopped':
      return { action: 'run the post-flight checks' };
    case 'postflight':
      return lc.iterations !== undefined && c.iteration >= lc.iterations
        ? { action: `halt: ${lc.iterations} iterations done` }
        : { action: `start iteration ${c.iteration + 1} with its pre-flight checks` };
    case 'disabled': {
      const until = (c.fields.lock as { lock?: { until?: string } } | undefined)?.lock?.until;
      const action = `wait for the disable lock to go (re-read every ${formatDuration(lc.lock_poll)}; runner enable lifts it)`;
      return until ? { action, at: until } : { action };
    }
    case 'failed':
      return { action: `retry ${String(c.fields.step)}`, at: at(Number(c.fields.delayMs)) };
    case 'halt':
      return {
        action: lc.halt ? `run the halt command: ${lc.halt.join(' ')}` : 'exit 16: no halt command is configured',
      };
    default:
      return undefined;
  }
}

function attached(lc: Lifecycle, at: (ms: number) => string): NextAction {
  const { after_first_job: first, max_session: max } = lc.drain;
  if (first && max !== undefined)
    return { action: 'drain when the first build starts, or when max_session is up', at: at(max) };
  if (first) return { action: 'drain when the first build starts' };
  if (max !== undefined) return { action: 'drain when max_session is up', at: at(max) };
  return { action: 'keep the worker attached: no drain is configured (a signal drains it)' };
}
