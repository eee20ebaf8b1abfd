import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { preparePlanDir, writePlans, type PlansWritten } from '../audit/plan-out.js';
import { auditAll } from '../audit/fanout.js';
import { progressLine } from '../audit/progress.js';
import { targetFor, type AuditTarget } from '../audit/targets.js';
import { ConfigError } from '../core/errors.js';
import { readUserSshConfig } from '../host/ssh/config.js';
import { loadKnownHosts } from '../host/ssh/known-hosts.js';
import { limitHosts, loadInventory } from '../inventory/index.js';
import { makeDocument } from '../report/document.js';
import { diffAudits } from '../report/diff.js';
import { parsePrevious } from '../report/previous.js';
import type { Io } from '../core/io.js';
import { emit, exitCodeOf, type OutputOptions } from './output.js';
import { seconds, wholeNumber } from './options.js';
import { makeContext } from '../core/context.js';
import { cachedFetch } from '../host/http.js';
import { readText, writeText } from '../host/local-files.js';

export interface AuditOptions extends OutputOptions {
  inventory: string;
  limit?: string;
  config?: string;
  only?: string[];
  forks: string;
  timeout: string;
  connectTimeout: string;
  user?: string;
  privateKey?: string;
  become?: boolean;
  knownHosts?: string;
  acceptNew?: boolean;
  passphraseEnv?: string;
  kex?: string[];
  stats?: string;
  /** a previous audit's JSON document: report what changed since */
  diff?: string;
  /** a dir: one plan file per drifted host, for `runner apply --plan` on it */
  planOut?: string;
}

/** A pool's JSON report with its plans runs to megabytes; past this a --diff file is not one. */
const DIFF_MAX_BYTES = 256 * 1024 * 1024;

/** `runner audit`: the configured checks, read-only, on every selected host of an inventory, over SSH. */
export async function runAudit(opts: AuditOptions, io: Io): Promise<number> {
  const limits = { deadlineMs: seconds(opts.timeout, '--timeout'), forks: wholeNumber(opts.forks, '--forks') };
  const targets = selectTargets(opts, io);
  // read and checked before any host is contacted: a wrong file stops here
  const previous = opts.diff
    ? parsePrevious(await readText(opts.diff, `--diff ${opts.diff}`, DIFF_MAX_BYTES), opts.diff)
    : undefined;
  if (opts.planOut !== undefined)
    await preparePlanDir(
      opts.planOut,
      targets.map((t) => t.ssh.name),
    );
  const settings = {
    ssh: await sshOptions(opts, io),
    ...(opts.planOut !== undefined ? { plans: opts.config ? { configPath: resolve(opts.config) } : {} } : {}),
    ...(opts.config
      ? { shared: { text: await readText(opts.config, `config ${opts.config}`), label: opts.config } }
      : {}),
    ...(opts.only ? { only: opts.only } : {}),
    ...limits,
  };
  const started = new Date();
  const progress = io.stderr.isTTY ? progressLine((s) => io.stderr.write(s), targets.length) : undefined;
  const run = await auditAll(targets, settings, makeContext('check', io, cachedFetch()), progress?.done);
  progress?.end();
  const doc = makeDocument('audit', started, run.reports);
  if (previous && opts.diff) doc.diff = diffAudits(previous, doc, opts.diff);
  await emit(doc, opts, io, { plans: true });
  if (opts.planOut !== undefined) reportPlans(await writePlans(opts.planOut, run.plans), opts.planOut, io);
  if (opts.stats) await writeText(opts.stats, `${JSON.stringify(Object.fromEntries(run.stats), null, 2)}\n`);
  return exitCodeOf(doc, opts);
}

function reportPlans(done: PlansWritten, dir: string, io: Io): void {
  const list = (hosts: string[]) => (hosts.length ? `: ${hosts.join(', ')}` : '');
  io.stderr.write(`runner: --plan-out ${dir}: ${done.written.length} plan(s) written${list(done.written)}\n`);
  if (done.removed.length)
    io.stderr.write(`runner: --plan-out ${dir}: removed the earlier plans of${list(done.removed)}\n`);
  for (const n of done.none) io.stderr.write(`runner: warning: --plan-out: no plan for ${n}\n`);
}

/** The inventory's hosts under --limit, each resolved to an SSH target; any problem stops before connecting. */
function selectTargets(opts: AuditOptions, io: Io): AuditTarget[] {
  const loaded = loadInventory(opts.inventory);
  const warn = (m: string) => io.stderr.write(`runner: warning: ${m}\n`);
  for (const w of loaded.warnings) warn(w);
  const names = limitHosts(loaded, opts.limit, warn);
  if (names.length === 0)
    throw new ConfigError(`no hosts of ${opts.inventory} match${opts.limit ? ` --limit ${opts.limit}` : ''}`);
  const sshConfig = readUserSshConfig();
  const defaults = {
    ...(opts.user ? { user: opts.user } : {}),
    ...(opts.privateKey ? { privateKey: opts.privateKey } : {}),
    ...(opts.become ? { become: true } : {}),
  };
  return names.map((n) => targetFor(n, loaded.vars.get(n) ?? {}, defaults, sshConfig));
}

async function sshOptions(opts: AuditOptions, io: Io) {
  const home = homedir();
  const files = [
    '/etc/ssh/ssh_known_hosts',
    `${home}/.ssh/known_hosts`,
    `${home}/.ssh/known_hosts2`,
    ...(opts.knownHosts ? [opts.knownHosts] : []),
  ];
  const passphrase = opts.passphraseEnv ? io.env[opts.passphraseEnv] : undefined;
  if (opts.passphraseEnv && passphrase === undefined)
    throw new ConfigError(`--passphrase-env ${opts.passphraseEnv}: that environment variable is not set`);
  const agent = io.env.SSH_AUTH_SOCK;
  return {
    knownHosts: await loadKnownHosts(files),
    recordTo: opts.knownHosts ?? `${home}/.ssh/known_hosts`,
    acceptNew: Boolean(opts.acceptNew),
    connectTimeoutMs: seconds(opts.connectTimeout, '--connect-timeout'),
    ...(agent ? { agent } : {}),
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(opts.kex ? { kex: opts.kex } : {}),
  };
}
