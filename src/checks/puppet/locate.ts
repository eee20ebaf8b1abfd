import { allInOrder } from '../../core/all.js';
import { RunnerError } from '../../core/errors.js';
import type { ReadHost } from '../../core/types.js';
import { chooseLayout, LAYOUTS, moversSet } from './layouts.js';
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
 * The layout's paths (`chooseLayout`) when no puppet.conf moves them (an unreadable one might: ask puppet),
 * and its summary exists (else only puppet can say whether it is installed). Every file is read at once,
 * so over SSH this is one round trip.
 */
async function derive(host: ReadHost, opts: PuppetOptions): Promise<Located | undefined> {
  const settle = (p: Promise<string | null>): Promise<Read> =>
    p.then(
      (text) => ({ text }),
      (error) => ({ error }),
    );
  const paths = [...new Set(LAYOUTS.flatMap((l) => [opts.lock ?? l.lock, opts.summary ?? l.summary]))];
  const elsewhere = opts.summary !== undefined && !LAYOUTS.some((l) => l.summary === opts.summary);
  const [confs, dirs, files] = await Promise.all([
    Promise.all(LAYOUTS.map((l) => settle(host.readFile(l.conf, { maxBytes: 256 * 1024 })))),
    Promise.all(LAYOUTS.map((l) => (elsewhere ? host.lstat(l.vardir).catch(() => null) : null))),
    Promise.all(paths.map((p) => settle(host.readFile(p)))),
  ]);
  if (confs.some((c) => !('text' in c) || (c.text !== null && moversSet(c.text).length > 0))) return undefined;
  const got = new Map(paths.map((p, i) => [p, files[i] as Read]));
  const isDir = (dir: string) => dirs[LAYOUTS.findIndex((l) => l.vardir === dir)]?.type === 'dir';
  const l = chooseLayout(opts.summary, isDir, (p) => there(got.get(p) as Read));
  if (!l) return undefined;
  const [summary, lock] = [opts.summary ?? l.summary, opts.lock ?? l.lock];
  if (!there(got.get(summary) as Read)) return undefined;
  return { summary, lock, lockText: textOf(got.get(lock) as Read), summaryText: textOf(got.get(summary) as Read) };
}

/** Something is at the path: a file, or what reading it refused (a symlink, a FIFO), which is then the error. */
function there(r: Read): boolean {
  return !('text' in r) || r.text !== null;
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
