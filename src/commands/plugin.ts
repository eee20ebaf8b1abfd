import { NAGIOS, nagiosUnknown } from '../report/nagios.js';
import type { Io } from '../core/io.js';

const REPORTING = ['check', 'apply', 'audit'];

/** Whether argv asks a reporting command for --format nagios, as commander reads it (the last --format wins). */
export function wantsNagios(argv: readonly string[]): boolean {
  if (!REPORTING.includes(argv[0] ?? '')) return false;
  let format: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--format' || a === '-f') format = argv[i + 1];
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else if (/^-f[^-]/.test(a)) format = a.slice(2);
  });
  return format === 'nagios';
}

/** A plugin that could not run says so on stdout, where Nagios reads it, and exits UNKNOWN (3). */
export function nagiosRefusal(message: string, io: Io): number {
  io.stdout.write(nagiosUnknown(message));
  return NAGIOS.unknown;
}
