import type { ReportDocument } from '../report/document.js';
import { render, type Format } from '../report/index.js';
import { nagiosState } from '../report/nagios.js';
import { wantsColour, type Io } from '../core/io.js';
import { writeText } from '../host/local-files.js';

export interface OutputOptions {
  format: Format;
  output?: string;
  failOnDrift?: boolean;
  verbose?: boolean;
}

/** Renders the report to --output (atomically) or to stdout. */
export async function emit(doc: ReportDocument, opts: OutputOptions, io: Io, extra: { plans: boolean }): Promise<void> {
  const colour = opts.output === undefined && opts.format === 'human' && wantsColour(io);
  const text = render(opts.format, doc, {
    colour,
    plans: extra.plans,
    failOnDrift: opts.failOnDrift ?? false,
    ...(opts.verbose ? { verbose: true } : {}),
  });
  if (opts.output === undefined) {
    io.stdout.write(text);
    return;
  }
  await writeText(opts.output, text);
}

/** The command's exit code: runner's bits, except for --format nagios, whose plugin contract wants 0-3. */
export function exitCodeOf(doc: ReportDocument, opts: OutputOptions): number {
  return opts.format === 'nagios' ? nagiosState(doc) : doc.exitCode;
}
