import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path/posix';
import { leftoverProblem, tempPrefix } from '../../checks/tools/commands.js';
import { updatesWorkingCopy } from '../../checks/tools/plan.js';
import type { Checkout, CheckoutPlan, Target, ToolsOptions, ToolsPlan } from '../../checks/tools/schema.js';
import { describeTarget, resolveRange, short } from '../../checks/tools/target.js';
import { listTags } from '../../checks/tools/tags.js';
import { RunnerError, describeError } from '../../core/errors.js';
import { LEFTOVER_SUFFIX } from '../../core/paths.js';
import type { Host, Remediation } from '../../core/types.js';
import { mountPoints } from '../../host/mounts.js';
import { vcsRunner, type VcsRun } from '../../host/vcs-run.js';
import { retireEntries } from '../retire.js';
import { makeDir } from './dirs.js';
import { FIXES } from './vcs.js';

export const tools: Remediation<ToolsOptions, ToolsPlan> = {
  id: 'tools',
  async apply(host, plan, opts) {
    const done: string[] = [];
    const failures: string[] = [];
    for (const p of plan.checkouts) {
      const co = opts.checkouts.find((c) => c.path === p.path) as Checkout;
      // one checkout that cannot be fixed (remote down) does not stop the others
      const outcome = await fix(host, co, p, opts).then(
        (d) => ({ done: d }),
        (err: unknown) => ({ error: describeError(err) }),
      );
      if ('done' in outcome) done.push(outcome.done);
      else failures.push(`${p.path}: ${outcome.error}`);
    }
    const summary = done.join('; ') || 'nothing done';
    if (failures.length)
      throw new RunnerError(`${summary}; ${failures.length} checkouts failed: ${failures.join('; ')}`);
    return summary;
  },
};

async function fix(host: Host, co: Checkout, p: CheckoutPlan, opts: ToolsOptions): Promise<string> {
  // the names came from a listing the checkout's owner controls: only runner's own leftover names go
  const alien = p.leftovers.map((l) => leftoverProblem(co.path, l)).filter((why) => why !== undefined);
  if (alien.length) throw new RunnerError(`refusing to remove leftovers: ${alien.join('; ')}`);
  const stuck = await removeBeside(
    host,
    dirname(co.path),
    p.leftovers.map((l) => basename(l)),
  );
  if (stuck.length) throw new RunnerError(`could not remove leftovers: ${stuck.join('; ')}`);
  if (p.action !== 'update') return replaceWithClone(host, co, p, opts);
  if (!updatesWorkingCopy(p)) return `removed ${p.leftovers.length} leftovers beside ${p.path}`;
  const vcs = FIXES[co.vcs];
  const run = vcsRunner(host, co, opts.timeout);
  if (p.pull) await vcs.pull(run, co, co.path);
  const to = await settle(run, co, co.path, p.to);
  await vcs.update(run, co.path, to, p.dirty > 0);
  const moved = p.pull ? `updated ${p.path} from ${short(p.from)} to ${describeTarget(to)}` : `cleaned ${p.path}`;
  return p.dirty ? `${moved}, discarding ${p.dirty} local changes` : moved;
}

/** Clones into a temp dir beside `path` and moves it into place: `path` never holds a half-made checkout. */
async function replaceWithClone(host: Host, co: Checkout, p: CheckoutPlan, opts: ToolsOptions): Promise<string> {
  const temp = `${tempPrefix(co.path)}${randomBytes(4).toString('hex')}`;
  await makeDir(host, dirname(co.path), co.user, { parents: true, handOver: false });
  if (opts.share !== undefined) await makeDir(host, opts.share, co.user, { parents: true, handOver: true });
  await makeDir(host, temp, co.user, { parents: false, handOver: true });
  const to = await cloneInto(host, co, temp, p.to, opts).catch(async (err: unknown) => {
    await removeBeside(host, dirname(temp), [basename(temp)]);
    throw err;
  });
  const old = await host.lstat(co.path);
  const trash = `${co.path}${LEFTOVER_SUFFIX}`;
  // two renames: `path` is missing only between them; a kill leaves leftovers the next probe removes
  if (old) await host.rename(co.path, trash);
  await host.rename(temp, co.path);
  const stale = old ? await removeBeside(host, dirname(trash), [basename(trash)]) : [];
  if (stale.length) {
    throw new RunnerError(`${co.path} is in place, but the old checkout could not be removed: ${stale.join('; ')}`);
  }
  return `${p.action === 'clone' ? 'cloned' : 'recloned'} ${co.path} at ${describeTarget(to)}`;
}

async function cloneInto(host: Host, co: Checkout, dest: string, target: Target, opts: ToolsOptions): Promise<Target> {
  const vcs = FIXES[co.vcs];
  const run = vcsRunner(host, co, opts.timeout);
  await vcs.clone(run, co, dest, opts.share);
  const to = await settle(run, co, dest, target);
  await vcs.update(run, dest, to, false);
  return to;
}

/** A tag range nobody could resolve before the clone is resolved from the clone's own tags. */
async function settle(run: VcsRun, co: Checkout, cwd: string, to: Target): Promise<Target> {
  if (to.rev !== undefined || co.tag === undefined) return to;
  const { tag, node } = resolveRange(await listTags(run, co.vcs, cwd), co.tag);
  return { ...to, rev: node, tag };
}

/**
 * Removes runner's own entries beside a checkout inside the dir that holds them, pinned as it is now: the
 * checkout's parent may be its owner's, who could swap it for a symlink, and root never removes by path there.
 */
async function removeBeside(host: Host, dir: string, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const st = await host.lstat(dir);
  if (st?.type !== 'dir') return names.map((n) => `${join(dir, n)}: ${dir} is not a directory: left alone`);
  const found = await Promise.all(names.map((n) => host.lstat(join(dir, n))));
  const doomed = names.flatMap((name, i) => {
    const f = found[i];
    return f ? [{ name, dev: f.dev, ino: f.ino }] : [];
  });
  return retireEntries(host, { path: dir, dev: st.dev, ino: st.ino }, doomed, await mountPoints(host));
}
