import semver from 'semver';
import * as z from 'zod';
import { BaseDir, isWithin, overlaps, pathProblem, systemDirProblem } from '../../core/path-rules.js';
import { Duration } from '../../core/units.js';

export const Checkout = z
  .object({
    path: BaseDir.describe('where the checkout lives'),
    vcs: z.enum(['hg', 'git']).describe('hg or git'),
    repo: z.string().min(1).describe('the remote (URL or path) it is cloned from and kept at'),
    branch: z
      .string()
      .min(1)
      .optional()
      .describe("follow this branch's head (default: hg `default`, git the remote HEAD)"),
    revision: z
      .string()
      .regex(/^[0-9a-fA-F]{7,40}$/, {
        message: 'expected a commit hash (7 to 40 hex digits); use branch or tag for names',
      })
      .optional()
      .describe('pin this commit'),
    tag: z
      .string()
      .refine((r) => semver.validRange(r) !== null, { message: 'expected a semver range like ^1.4 or ">=2 <3"' })
      .optional()
      .describe('the highest tag (v1.4.2 or 1.4.2) matching this semver range'),
    user: z.string().min(1).optional().describe('run the vcs as this user (it owns the checkout)'),
  })
  .strict()
  .refine((c) => [c.branch, c.revision, c.tag].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of branch, revision and tag',
  });
export type Checkout = z.output<typeof Checkout>;

export const ToolsOptions = z
  .object({
    checkouts: z.array(Checkout).min(1).describe('the checkouts to keep at their wanted revision'),
    share: BaseDir.optional().describe(
      'a dir of shared stores, so clones of one repo share history (hg share pool, git --reference)',
    ),
    timeout: Duration.prefault('10m').describe('how long one vcs command may take'),
  })
  .strict()
  .superRefine((o, ctx) => {
    for (const problem of nesting(
      o.checkouts.map((c) => c.path),
      o.share,
    ))
      ctx.addIssue({ code: 'custom', ...problem });
  });
export type ToolsOptions = z.output<typeof ToolsOptions>;

/** Checkouts and the share must not hold one another: cleaning or recloning one would delete the other. */
function nesting(paths: readonly string[], share: string | undefined): { path: PropertyKey[]; message: string }[] {
  const why = 'a clean or reclone of one would delete the other';
  const found = overlaps(paths, 'checkouts').map((o) => ({
    path: ['checkouts', o.at, 'path'],
    message: `${o.message}: ${why}`,
  }));
  if (share === undefined || pathProblem(share) || systemDirProblem(share)) return found;
  paths.forEach((p, i) => {
    if (pathProblem(p) || systemDirProblem(p)) return;
    if (isWithin(p, share))
      found.push({
        path: ['checkouts', i, 'path'],
        message: `${JSON.stringify(p)} lies inside share ${JSON.stringify(share)}: ${why}`,
      });
    else if (isWithin(share, p))
      found.push({
        path: ['share'],
        message: `${JSON.stringify(share)} lies inside checkouts[${i}] ${JSON.stringify(p)}: ${why}`,
      });
  });
  return found;
}

/** The revision a checkout should be at. */
export interface Target {
  /** how the config names it: "branch default", "revision 1a2b3c4", "tag ^1.4" */
  spec: string;
  /** a full node when resolved, else the revision as configured; undefined: a tag range resolved after the clone */
  rev?: string;
  /** the tag a range resolved to */
  tag?: string;
  /** git, following a branch: the local branch checked out at `rev` */
  branch?: string;
}

/** What apply does to one checkout; only drifted checkouts have one. */
export interface CheckoutPlan {
  path: string;
  vcs: Checkout['vcs'];
  /** clone: path missing or not a repository; reclone: wrong remote; update: pull and/or update and clean */
  action: 'clone' | 'reclone' | 'update';
  /** why, in words, e.g. "remote is X, not Y" */
  reasons: string[];
  /** the current node; undefined when there is no checkout */
  from?: string;
  to: Target;
  /** update only: fetch from the remote before updating */
  pull: boolean;
  /** local changes that the update discards ("M file", "? file"), at most CLEAN_LIST; `dirty` is the full count */
  clean: string[];
  dirty: number;
  /** temp clones and `.deleteme` dirs left by an interrupted run, removed first */
  leftovers: string[];
}

export const CLEAN_LIST = 50;

export interface ToolsPlan {
  checkouts: CheckoutPlan[];
}
