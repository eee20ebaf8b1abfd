import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path/posix';
import { LEFTOVER_SUFFIX } from '../../core/paths.js';

/** Temp clones are made beside the checkout under this prefix, so a killed run's leftovers can be found. */
export function tempPrefix(path: string): string {
  return join(dirname(path), `.${basename(path)}.runner-clone-`);
}

/** Why `leftover` is not one of the names runner itself leaves beside `path` (and so must not be removed), or undefined. */
export function leftoverProblem(path: string, leftover: string): string | undefined {
  const name = basename(leftover);
  const ours =
    name === `${basename(path)}${LEFTOVER_SUFFIX}` ||
    (leftover.startsWith(tempPrefix(path)) && leftover.length > tempPrefix(path).length);
  if (dirname(leftover) !== dirname(path) || leftover.endsWith('/') || !ours) {
    return `${JSON.stringify(leftover)} is not a temp clone or ${LEFTOVER_SUFFIX} dir of ${path}: not removed`;
  }
  return undefined;
}

/** Config every git command gets: no detached-HEAD lecture, no background gc in a checkout. */
export const QUIET = ['-c', 'advice.detachedHead=false', '-c', 'gc.autoDetach=false'];

/** The bare store of `repo` in a git share dir: readable, and unique by a hash of the URL. */
export function storeName(repo: string): string {
  const readable = repo
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-60);
  return `${readable}-${createHash('sha256').update(repo).digest('hex').slice(0, 10)}.git`;
}

/** At most this much of `.hg/hgrc` (and of git's remote URL) is read; more is an error. */
export const CONFIG_CAP = 65536;

/** At most this much of `.hg/dirstate`, `.hg/requires` and the working-dir listing is read for the native check; more asks hg. */
export const DIRSTATE_CAP = 2 * 1024 * 1024;
export const REQUIRES_CAP = 4096;
export const LISTING_CAP = 4 * 1024 * 1024;

/** What the facts script reads of an hg checkout (see FACTS). */
export type HgRead = 'files' | 'status' | 'status-ro';

/**
 * Every local fact about one checkout in one round trip: leftovers, what `path` is, its owner, and
 * (for a repository owned by the user we run as) its remote, parent revision and local changes.
 * Output: one line `key HEX` per fact, the value hex-encoded so that no byte of a file or name the build
 * user controls can read as structure; then a line `status` and the raw status listing to the end (or, for
 * hg's `files`, a line `files` and the raw working-dir listing).
 * Files are read with dd iflag=nofollow,nonblock and a byte cap: a symlink, FIFO or device there stops
 * the script with `state unsafe` (reading it could follow a link to a root-only file or block).
 * hg's parent comes from the head of .hg/dirstate (a documented format), which saves one hg start-up.
 * Args: path, temp prefix, vcs, and for hg what to read (`HgRead`): `files` starts no hg at all: the whole
 * dirstate, .hg/requires and a listing of the working dir (`find`, never following a link, NUL-ended records
 * closed by find's exit status, cut at a cap) for dirstate.ts to judge; `status` and `status-ro` run
 * `hg status`, `status-ro` (check mode) inside an unprivileged user and mount namespace with the checkout
 * read-only when `.hg` is still writable (no root namespace around it), so that hg can record nothing.
 */
const FACTS = `p=$1
hex() { od -An -v -tx1 | tr -d ' \\n'; }
put() { printf '%s ' "$1"; printf '%s' "$2" | hex; echo; }
grab() { printf '%s ' "$1"; dd if="$2" iflag=nofollow,nonblock,count_bytes bs=65537 count="$3" status=none 2>/dev/null | hex; echo; }
plain() {
  if [ -h "$1" ] || { [ -e "$1" ] && [ ! -f "$1" ]; }; then
    put state unsafe; put file "$1"; put kind "$(stat -c %F -- "$1")"; exit 0
  fi
}
for f in "$2"* "$p${LEFTOVER_SUFFIX}"; do
  if [ -e "$f" ] || [ -h "$f" ]; then put leftover "$f"; fi
done
if [ -h "$p" ]; then put state symlink; exit 0; fi
if [ ! -e "$p" ]; then put state missing; exit 0; fi
if [ ! -d "$p" ] || [ ! -e "$p/.$3" ]; then put state not-a-repository; exit 0; fi
cd -- "$p" || exit
if [ "$(stat -c %u -- ".$3")" != "$(id -u)" ]; then
  put state foreign; put owner "$(stat -c %U -- ".$3")"; put me "$(id -un)"; exit 0
fi
if [ "$3" = hg ]; then
  plain .hg/hgrc; plain .hg/dirstate
  put state repository
  grab hgrc .hg/hgrc ${CONFIG_CAP + 1}
  if [ "$4" = files ]; then
    grab dirstate .hg/dirstate ${DIRSTATE_CAP + 1}
    grab requires .hg/requires ${REQUIRES_CAP + 1}
    l='%y %s %T@ %m %P\\0'
    echo files
    { find . -path ./.hg -prune -o -name .hg -prune -printf "$l" -o ! -type d -printf "$l" 2>/dev/null
      printf 'end %s\\0' "$?"; } | head -c ${LISTING_CAP}
    exit 0
  fi
  grab dirstate .hg/dirstate 32
  echo status
  if [ "$4" = status-ro ] && [ -w .hg ] && unshare --user --map-root-user --mount true 2>/dev/null; then
    exec unshare --user --map-root-user --mount sh -c \
      'mount --bind -o ro -- "$1" "$1" 2>/dev/null; cd -- "$1" && exec hg status -mardu -0' sh "$p"
  fi
  exec hg status -mardu -0
fi
plain .git/config
put state repository
printf 'origin '; git config --get remote.origin.url | head -c ${CONFIG_CAP + 1} | hex; echo
echo status; exec git --no-optional-locks status --porcelain=v2 --branch -z --untracked-files=all
`;

export function factsArgv(path: string, vcs: 'hg' | 'git', read: HgRead = 'files'): string[] {
  return ['-c', FACTS, 'runner-tools-facts', path, tempPrefix(path), vcs, read];
}
