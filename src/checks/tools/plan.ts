import { printable } from '../../core/text.js';
import type { Facts } from './facts.js';
import { CLEAN_LIST, type Checkout, type CheckoutPlan, type Target } from './schema.js';
import { atTarget, describeTarget, sameRemote, short } from './target.js';

type Usable = Exclude<Facts, { state: 'symlink' | 'foreign' | 'unsafe' }>;

/** What apply must do to one checkout, or undefined when it is as wanted. Pure. */
export function decide(co: Checkout, facts: Usable, to: Target): CheckoutPlan | undefined {
  const base = { path: co.path, vcs: co.vcs, to, pull: false, clean: [], dirty: 0, leftovers: facts.leftovers };
  if (facts.state !== 'repository') {
    const why = facts.state === 'missing' ? 'missing' : `not a ${co.vcs} repository: replaced by a clone`;
    return { ...base, action: 'clone', reasons: [why] };
  }
  if (!sameRemote(facts.remote, co.repo)) {
    return {
      ...base,
      action: 'reclone',
      from: facts.node,
      reasons: [`remote is ${facts.remote === undefined ? '(none)' : printable(facts.remote)}, not ${co.repo}`],
    };
  }
  const moving = !atTarget(facts.node, to);
  if (!moving && facts.dirty.length === 0 && facts.leftovers.length === 0) return undefined;
  const reasons: string[] = [];
  if (moving) reasons.push(`update from ${short(facts.node)} to ${describeTarget(to)}`);
  if (facts.dirty.length) reasons.push(`${facts.dirty.length} local changes`);
  if (facts.leftovers.length) reasons.push(`${facts.leftovers.length} leftovers of an interrupted run`);
  const clean = facts.dirty.slice(0, CLEAN_LIST);
  return { ...base, action: 'update', from: facts.node, pull: moving, clean, dirty: facts.dirty.length, reasons };
}

/** Whether apply touches the working copy of an `update` plan (and not only removes leftovers). */
export function updatesWorkingCopy(p: CheckoutPlan): boolean {
  return p.pull || p.dirty > 0;
}

/** One line per checkout for the summary. */
export function describeCheckout(p: CheckoutPlan): string {
  if (p.action === 'update') return `${p.path}: ${p.reasons.join(', ')}`;
  return `${p.path}: ${p.action} (${p.reasons.join('; ')}) at ${describeTarget(p.to)}`;
}

/** The plan of one checkout as lines for people. */
export function explainCheckout(p: CheckoutPlan): string[] {
  const lines = [`- ${p.path} (${p.vcs}):`];
  for (const l of p.leftovers) lines.push(`    remove leftover ${printable(l)}`);
  if (p.action !== 'update') {
    lines.push(`    ${p.action}: ${p.reasons.join('; ')}`);
    lines.push(`    clone into a temp dir beside it, check out ${describeTarget(p.to)}, then move it into place`);
    return lines;
  }
  if (p.pull) lines.push(`    pull, then update from ${short(p.from)} to ${describeTarget(p.to)}`);
  if (p.dirty) {
    const more = p.dirty > p.clean.length ? `, … (${p.dirty} in all)` : '';
    lines.push(`    discard ${p.dirty} local changes: ${p.clean.map(printable).join(', ')}${more}`);
  }
  return lines;
}
