import type { Io } from '../core/io.js';

/** journald stamps each line itself (it sets JOURNAL_STREAM for the services it logs); anywhere else, runner does. */
export function stampsLines(io: Pick<Io, 'env'>): boolean {
  return !io.env.JOURNAL_STREAM;
}

/** A line for the daemon's stderr: with an ISO time first unless journald is reading it. */
export function logLine(io: Pick<Io, 'env'>, text: string, now = new Date()): string {
  return `${stampsLines(io) ? `${now.toISOString()} ` : ''}${text}\n`;
}
