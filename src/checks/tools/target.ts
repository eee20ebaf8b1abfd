import semver from 'semver';
import type { Target } from './schema.js';

/** The highest tag matching a semver range (`v1.4.2` and `1.4.2` both count; prereleases only when the range asks). */
export function resolveRange(tags: ReadonlyMap<string, string>, range: string): { tag: string; node: string } {
  const byVersion = new Map<string, string>();
  const names = [...tags.keys()].filter((name) => semver.valid(name) !== null).sort();
  // sorted, so that when both v1.4.2 and 1.4.2 exist the choice is stable (v1.4.2 sorts after, and wins)
  for (const name of names) byVersion.set(semver.valid(name) as string, name);
  const best = semver.maxSatisfying([...byVersion.keys()], range);
  if (best === null) {
    const highest = semver.rsort([...byVersion.keys()])[0];
    const seen = names.length
      ? `${names.length} semver tags, highest ${byVersion.get(highest as string)}`
      : 'no semver tags';
    throw new Error(`no tag matches ${range} (${seen})`);
  }
  const tag = byVersion.get(best) as string;
  return { tag, node: tags.get(tag) as string };
}

/** Remotes compare equal up to trailing slashes. */
export function sameRemote(actual: string | undefined, wanted: string): boolean {
  return actual !== undefined && actual.replace(/\/+$/, '') === wanted.replace(/\/+$/, '');
}

/** Whether a checkout at `node` is at the target (a configured revision may be a prefix). */
export function atTarget(node: string, target: Target): boolean {
  return target.rev !== undefined && node !== '' && node.startsWith(target.rev.toLowerCase());
}

export function short(node: string | undefined): string {
  return node ? node.slice(0, 12) : '(none)';
}

/** "tag ^1.4 → v1.4.2 (1a2b3c4d5e6f)", "branch default (1a2b3c4d5e6f)", "tag ^1.4 (resolved after the clone)" */
export function describeTarget(t: Target): string {
  const what = t.tag ? `${t.spec} → ${t.tag}` : t.spec;
  if (t.rev === undefined) return `${what} (resolved after the clone)`;
  return /^[0-9a-f]{40}$/.test(t.rev) ? `${what} (${short(t.rev)})` : what;
}
