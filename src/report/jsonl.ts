import type { DaemonState } from './snapshot.js';

export interface EventHead {
  time: string;
  event: string;
  iteration: number;
  /** the state the event moves the daemon to, when it moves it */
  state?: DaemonState;
}

/** One line of events.jsonl: the head first, then the event's own fields. Pure. */
export function eventLine(head: EventHead, fields: Record<string, unknown>): string {
  const { time, event, iteration, state } = head;
  return `${JSON.stringify({ time, event, iteration, ...(state ? { state } : {}), ...fields })}\n`;
}
