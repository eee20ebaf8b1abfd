import { toolsFingerprint } from './fingerprint.js';
import { RunnerError } from '../../core/errors.js';
import type { Check, Context, Finding, Mode, ReadHost } from '../../core/types.js';
import { VCS_ENV, vcsMessage, vcsRunner } from '../../host/vcs-run.js';
import { factsArgv, leftoverProblem, type HgRead } from './commands.js';
import { parseFacts, type AskHg, type Facts } from './facts.js';
import { git } from './git.js';
import { hg } from './hg.js';
import { remoteAsker } from './remote.js';
import { decide, describeCheckout, explainCheckout } from './plan.js';
import { ToolsOptions, type Checkout, type CheckoutPlan, type ToolsPlan } from './schema.js';
import { describeTarget } from './target.js';
import type { Vcs } from './vcs.js';

const DRIVERS: Record<Checkout['vcs'], Vcs> = { hg, git };

export const tools: Check<ToolsOptions, ToolsPlan> = {
  id: 'tools',
  summary: 'keeps hg and git checkouts clean and at the wanted branch head, revision or semver tag',
  options: ToolsOptions,
  async probe(host, opts, ctx): Promise<Finding<ToolsPlan>> {
    const found = await Promise.all(opts.checkouts.map((co) => inspect(host, co, opts.timeout, ctx)));
    const checkouts = found.flatMap((f) => (f.plan ? [f.plan] : []));
    if (checkouts.length === 0) return { state: 'ok', summary: found.map((f) => f.ok).join('; ') };
    const of = `${checkouts.length} of ${found.length} checkouts drifted: `;
    return { state: 'drift', summary: of + checkouts.map(describeCheckout).join('; '), plan: { checkouts } };
  },
  fingerprint: toolsFingerprint,
  explain(plan) {
    return plan.checkouts.flatMap(explainCheckout);
  },
};

async function inspect(
  host: ReadHost,
  co: Checkout,
  timeoutMs: number,
  ctx: Context,
): Promise<{ plan?: CheckoutPlan; ok: string }> {
  const vcs = DRIVERS[co.vcs];
  const run = vcsRunner(host, co, timeoutMs);
  // a URL is asked once per run, whichever host asks first; the others wait for its answer
  const ask = remoteAsker(run, host, co, ctx);
  // a branch head is looked up at the remote while the local facts are read; what is wrong locally is said first
  const follows = co.revision === undefined && co.tag === undefined;
  const [read, early] = await Promise.allSettled([
    readFacts(host, co, timeoutMs, ctx.mode),
    follows ? vcs.target(ask, run, co, undefined) : undefined,
  ]);
  const facts = valueOf(read);
  if (facts.state === 'symlink')
    throw new RunnerError(`${co.path} is a symlink; runner never follows one: point path at the checkout itself`);
  if (facts.state === 'unsafe') {
    throw new RunnerError(
      `${co.path}/${facts.file} is a ${facts.kind}, not a regular file: runner reads no symlink, FIFO or device there; remove it`,
    );
  }
  if (facts.state === 'foreign') {
    const as = co.user ? `user ${co.user}` : `runner's user (${facts.me})`;
    throw new RunnerError(
      `${co.path} belongs to ${facts.owner} but ${co.vcs} would run as ${as}: set "user: ${facts.owner}" on this checkout`,
    );
  }
  const to = valueOf(early) ?? (await vcs.target(ask, run, co, facts));
  const plan = decide(co, facts, to);
  return { ...(plan ? { plan } : {}), ok: `${co.path} at ${describeTarget(to)}` };
}

function valueOf<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

async function readFacts(host: ReadHost, co: Checkout, timeoutMs: number, mode: Mode): Promise<Facts> {
  // hg: the dirstate and a listing first, no hg at all; `hg status` (a second round trip) only when they cannot tell
  const quick = co.vcs === 'hg' ? await runFacts(host, co, timeoutMs, 'files') : undefined;
  if (quick && quick.state !== 'ask-hg') return quick;
  // hg status rewrites .hg/dirstate when it can lock it: check mode must write nothing, so the checkout is read-only
  // (root's mount namespace where runner is root, else the script's own user namespace: commands.ts)
  const facts = await runFacts(host, co, timeoutMs, mode === 'check' ? 'status-ro' : 'status');
  if (facts.state === 'ask-hg') throw new RunnerError(`reading ${co.vcs} checkout ${co.path}: no status listing`);
  return facts;
}

async function runFacts(host: ReadHost, co: Checkout, timeoutMs: number, read: HgRead): Promise<Facts | AskHg> {
  // timeout(1) kills the script's whole process group: a killed runuser alone would leave it holding stdout open
  const argv = ['-s', 'KILL', `${Math.ceil(timeoutMs / 1000)}s`, 'sh', ...factsArgv(co.path, co.vcs, read)];
  const ro = read === 'status-ro' ? { readOnly: co.path } : {};
  const r = await host.run('timeout', argv, {
    cwd: '/',
    env: VCS_ENV,
    timeoutMs: timeoutMs + 5000,
    ...ro,
    ...(co.user ? { user: co.user } : {}),
  });
  if (r.exitCode !== 0) {
    const why = r.timedOut || r.exitCode === 137 ? 'timed out' : vcsMessage(r.stderr) || `exit ${r.exitCode}`;
    throw new RunnerError(`reading ${co.vcs} checkout ${co.path}${as(co)}: ${why}`);
  }
  let facts: Facts | AskHg;
  try {
    facts = parseFacts(r.stdout, co.vcs);
  } catch (err) {
    throw new RunnerError(`reading ${co.vcs} checkout ${co.path}${as(co)}: ${(err as Error).message}`);
  }
  if (facts.state === 'ask-hg') return facts;
  // names come from the checkout's owner: only runner's own leftover names may be planned for removal
  const alien = facts.leftovers.map((l) => leftoverProblem(co.path, l)).filter((why) => why !== undefined);
  if (alien.length) throw new RunnerError(`reading ${co.vcs} checkout ${co.path}: ${alien.join('; ')}`);
  return facts;
}

function as(co: Checkout): string {
  return co.user ? ` as ${co.user}` : '';
}
