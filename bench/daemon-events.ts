import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { delay } from '../fixtures/buildbot/harness.js';

export interface Event {
  time: string;
  event: string;
  iteration: number;
  [field: string]: unknown;
}

/** The daemon's events so far (STATE_DIR/events.jsonl). */
export function eventsOf(stateDir: string): Event[] {
  const file = join(stateDir, 'events.jsonl');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Event)
    : [];
}

/** Waits for the first event matching; fails with the daemon's last words when it exits first. */
export async function untilEvent(
  stateDir: string,
  match: (e: Event) => boolean,
  exited: () => boolean,
  said: () => string = () => '',
): Promise<Event> {
  for (;;) {
    const e = eventsOf(stateDir).find(match);
    if (e) return e;
    if (exited()) throw new Error(`the daemon exited before the event it was waited for:\n${said()}`);
    await delay(20);
  }
}
