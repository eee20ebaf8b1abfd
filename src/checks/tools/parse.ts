/** Pure parsers of hg and git output for the tools check (the facts script's framing: facts.ts). */

const NULL_NODE = '0'.repeat(40);

/** `[paths] default = …` of an hgrc, read as text: hg ignores an untrusted hgrc, and we never trust one. */
export function hgrcDefault(text: string): string | undefined {
  let section = '';
  let found: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*[#;]/.test(line) || /^\s/.test(line)) continue;
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) section = (header[1] as string).trim();
    const kv = /^([^=\s][^=]*?)\s*=\s*(.*)$/.exec(line);
    if (section === 'paths' && kv && kv[1] === 'default') found = (kv[2] as string).trim();
  }
  return found || undefined;
}

const V2_MARKER = Buffer.from('dirstate-v2\n').toString('hex');

/**
 * The working copy's first parent from the hex of .hg/dirstate's first 32 bytes: dirstate-v1 starts with it,
 * dirstate-v2 has it after its 12-byte marker (`hg help internals.dirstate-v2`). No dirstate: the null revision.
 */
export function dirstateParent(hex: string): string {
  const clean = hex.trim().toLowerCase();
  const node = clean.startsWith(V2_MARKER) ? clean.slice(24, 64) : clean.slice(0, 40);
  return /^[0-9a-f]{40}$/.test(node) ? node : NULL_NODE;
}

/** `hg status -mardu -0`: "M path\0? path\0" → ["M path", "? path"]. */
export function parseHgStatus(text: string): string[] {
  return text.split('\0').filter((e) => /^[MARDU!?] ./.test(e));
}

/** `git status --porcelain=v2 --branch -z`: the HEAD commit ('' before the first) and changes as "M path". */
export function parseGitStatus(text: string): { node: string; dirty: string[] } {
  const fields = text.split('\0');
  let node = '';
  const dirty: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (f.startsWith('# branch.oid ')) node = /^[0-9a-f]{40}$/.test(f.slice(13)) ? f.slice(13) : '';
    else if (f.startsWith('? ')) dirty.push(`? ${f.slice(2)}`);
    else if (/^[12u] /.test(f)) {
      const parts = f.split(' ');
      const skip = { '1': 8, '2': 9, u: 10 }[f[0] as '1' | '2' | 'u'];
      dirty.push(`${gitLetter(parts[1] ?? '')} ${parts.slice(skip).join(' ')}`);
      if (f[0] === '2') i += 1; // a rename's original path is the next field
    }
  }
  return { node, dirty };
}

function gitLetter(xy: string): string {
  if (xy.includes('D')) return '!';
  if (xy.includes('A')) return 'A';
  return 'M';
}

/** `git ls-remote` / `git show-ref -d` lines "sha ref": ref → sha; an annotated tag's peeled `^{}` commit wins. */
export function parseLsRemote(text: string): Map<string, string> {
  const refs = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{40})\s+(\S+?)(\^\{\})?$/.exec(line.trim());
    if (!m) continue;
    const [, sha, ref, peeled] = m as unknown as [string, string, string, string | undefined];
    if (peeled || !refs.has(ref)) refs.set(ref, sha);
  }
  return refs;
}

/** The tags of `git ls-remote --tags`: name → commit. */
export function gitTags(refs: Map<string, string>): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [ref, sha] of refs) if (ref.startsWith('refs/tags/')) tags.set(ref.slice(10), sha);
  return tags;
}

/** `hg tags -T '{tag} {node}\n'`: name → node ('tip' included; it is not semver). */
export function parseHgTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(.+) ([0-9a-f]{40})$/.exec(line.trim());
    if (m) tags.set(m[1] as string, m[2] as string);
  }
  return tags;
}

/** Applies the `.hgtags` lines added by incoming changesets (from `hg incoming -T '{diff(".hgtags")}'`). */
export function addIncomingTags(tags: Map<string, string>, diff: string): Map<string, string> {
  const out = new Map(tags);
  for (const line of diff.split('\n')) {
    const m = /^\+([0-9a-f]{40}) (.+)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === NULL_NODE) out.delete(m[2] as string);
    else out.set(m[2] as string, m[1] as string);
  }
  return out;
}
