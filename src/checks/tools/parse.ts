/** Pure, lenient parsers of hg and git output for the tools check. */

const NULL_NODE = '0'.repeat(40);

export type Facts =
  | { state: 'missing' | 'not-a-repository'; leftovers: string[] }
  | { state: 'symlink'; leftovers: string[] }
  | { state: 'foreign'; leftovers: string[]; owner: string; me: string }
  | { state: 'repository'; leftovers: string[]; node: string; remote: string | undefined; dirty: string[] };

/** The output of the facts script (NUL-separated `key value` pairs, then the status listing). */
export function parseFacts(out: string, vcs: 'hg' | 'git'): Facts {
  const at = out.indexOf('\0status\0');
  const head = (at === -1 ? out : out.slice(0, at)).split('\0').slice(1);
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < head.length; i += 2) pairs.push([head[i] as string, head[i + 1] as string]);
  const get = (key: string) => pairs.find(([k]) => k === key)?.[1];
  const leftovers = pairs.filter(([k]) => k === 'leftover').map(([, v]) => v);
  const state = get('state');
  if (state === 'missing' || state === 'not-a-repository') return { state, leftovers };
  if (state === 'symlink') return { state, leftovers };
  if (state === 'foreign') return { state, leftovers, owner: get('owner') ?? '?', me: get('me') ?? '?' };
  if (state !== 'repository' || at === -1) throw new Error(`unexpected output: ${JSON.stringify(out.slice(0, 200))}`);
  const status = out.slice(at + '\0status\0'.length);
  if (vcs === 'hg') {
    return { state, leftovers, node: dirstateParent(get('dirstate') ?? ''), remote: hgrcDefault(get('hgrc') ?? ''), dirty: parseHgStatus(status) };
  }
  const git = parseGitStatus(status);
  return { state, leftovers, node: git.node, remote: get('origin')?.trim() || undefined, dirty: git.dirty };
}

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
