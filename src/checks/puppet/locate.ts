import { allInOrder } from '../../core/all.js';
import { RunnerError } from '../../core/errors.js';
import type { ReadHost } from '../../core/types.js';
import { candidates, LAYOUTS, moversSet } from './layouts.js';
import { errorLines, parseConfigPrint } from './parse.js';
import type { PuppetOptions } from './schema.js';

/** The summary and the lock, with what they hold (null: missing), read in one go. */
export interface Located {
  summary: string;
  lock: string;
  summaryText: string | null;
  lockText: string | null;
}

type Read = { text: string | null } | { error: unknown };

/** Configured, derived from a package's layout, or, when nothing else can tell, asked of puppet; undefined: no puppet here. */
export async function locate(host: ReadHost, opts: PuppetOptions): Promise<Located | undefined> {
  if (opts.summary && opts.lock) return read(host, opts.summary, opts.lock);
  const derived = opts.args.length === 0 ? await derive(host, opts) : undefined;
  if (derived) return derived;
  const asked = await askPuppet(host, opts);
  return asked && read(host, asked.summary, asked.lock);
}

async function read(host: ReadHost, summary: string, lock: string): Promise<Located> {
  const [lockText, summaryText] = await allInOrder([host.readFile(lock), host.readFile(summary)]);
  return { summary, lock, summaryText, lockText };
}

/**
 * The one layout whose summary exists, when no puppet.conf moves anything (an unreadable one might: ask
 * puppet); every file read together, so over SSH this is one round trip.
 */
async function derive(host: ReadHost, opts: PuppetOptions): Promise<Located | undefined> {
  const layouts = candidates(opts.summary, opts.lock);
  if (layouts.length === 0) return undefined;
  const settle = (path: string, maxBytes?: number): Promise<Read> =>
    host.readFile(path, { maxBytes }).then(
      (text) => ({ text }),
      (error: unknown) => ({ error }),
    );
  const [confs, files] = await Promise.all([
    Promise.all(LAYOUTS.map((l) => settle(l.conf, 256 * 1024))),
    Promise.all(layouts.map((l) => Promise.all([l, settle(l.lock), settle(l.summary)] as const))),
  ]);
  if (confs.some((c) => !('text' in c) || (c.text !== null && moversSet(c.text).length > 0))) return undefined;
  const found = files.filter(([, , summary]) => !('text' in summary) || summary.text !== null);
  if (found.length !== 1) return undefined;
  const [l, lock, summary] = found[0] as (typeof found)[number];
  return { summary: l.summary, lock: l.lock, lockText: textOf(lock), summaryText: textOf(summary) };
}

function textOf(r: Read): string | null {
  if ('error' in r) throw r.error;
  return r.text;
}

/** `puppet config print` (a Ruby start-up, about a second of CPU); undefined when there is no such command. */
async function askPuppet(host: ReadHost, opts: PuppetOptions): Promise<{ summary: string; lock: string } | undefined> {
  const r = await host.run(opts.command, ['config', 'print', 'lastrunfile', 'agent_disabled_lockfile', ...opts.args], {
    timeoutMs: 120_000,
  });
  if (r.timedOut) throw new RunnerError(`'${opts.command} config print' gave no answer within 2m`);
  if (r.exitCode === undefined || r.exitCode === 127) return undefined;
  const printed = parseConfigPrint(r.stdout);
  const summary = opts.summary ?? printed.get('lastrunfile');
  const lock = opts.lock ?? printed.get('agent_disabled_lockfile');
  if (!summary || !lock)
    throw new RunnerError(
      `'${opts.command} config print lastrunfile agent_disabled_lockfile' exited ${r.exitCode}: ${errorLines(r.stderr).join(' / ') || r.stderr.trim()}`,
    );
  return { summary, lock };
}
