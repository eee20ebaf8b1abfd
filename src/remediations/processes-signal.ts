import { CommandError } from '../core/errors.js';
import type { Host } from '../core/types.js';

/**
 * One shell per round. Each pid is signalled only right after /proc/PID/stat still shows the start time the
 * probe pinned (comm may hold `)` and spaces: fields count from the last `)`, on the last line). A group is
 * signalled as a whole only when every live member is one it was told about, each with its pinned start time;
 * otherwise each told member is signalled alone. Arguments: SIG (or `-` to only look), then `PID:START` for
 * a process and `PGID=PID:START,PID:START…` for a group. Output: one `verb id [more]` line per finding.
 */
export const SIGNAL_SCRIPT = `sig=$1; shift; set -f; ifs=$IFS
look() {
  st=; pg=; state=; last=
  { while IFS= read -r l; do last=$l; done < "/proc/$1/stat"; } 2>/dev/null
  set -- \${last##*)}
  [ $# -ge 20 ] && [ "$1" != Z ] && [ "$1" != X ] || return 0
  state=$1; pg=$3; st=\${20}
}
hit() {
  look "$1"
  if [ -z "$st" ]; then echo "gone $1"
  elif [ "$st" != "$2" ]; then echo "moved $1 $st"
  elif [ "$sig" = - ]; then echo "alive $1 $state"
  elif kill -s "$sig" -- "$1"; then echo "sent $1"; fi
}
group() {
  g=$1; told=$2; whole=1; [ "$g" -gt 1 ] || whole=
  set +f; set -- /proc/[0-9]*/stat; set -f
  for f; do
    p=\${f#/proc/}; p=\${p%/stat}; look "$p"
    [ -n "$st" ] && [ "$pg" = "$g" ] || continue
    case ",$told," in *",$p:$st,"*) ;; *) whole=; echo "joined $g $p" ;; esac
  done
  if [ -n "$whole" ]; then kill -s "$sig" -- "-$g" && echo "group $g"; return; fi
  IFS=,; set -- $told; IFS=$ifs
  for m; do hit "\${m%%:*}" "\${m#*:}"; done
}
for it; do
  case $it in
    *=*) group "\${it%%=*}" "\${it#*=}" ;;
    *) hit "\${it%%:*}" "\${it#*:}" ;;
  esac
done`;

export interface Pinned {
  pid: number;
  pgid: number;
  start: number;
}

export interface RoundResult {
  sent: number[];
  groups: number[];
  /** pids whose start time changed since the probe: another process now, left alone */
  moved: number[];
  /** `-` rounds: the pinned processes still running, with their state */
  alive: Map<number, string>;
  /** kill's complaints, a pid already gone excepted */
  complaints: string;
}

/** Signals `pids` alone and `groups` as a whole (with their members), or with sig `-` only looks. */
export async function signalRound(
  host: Host,
  sig: string,
  pids: readonly Pinned[],
  groups: readonly number[] = [],
): Promise<RoundResult> {
  const result: RoundResult = { sent: [], groups: [], moved: [], alive: new Map(), complaints: '' };
  // never group 0 (the caller's own) or 1
  const wholes = groups.filter((g) => g > 1);
  const inGroup = (p: Pinned) => wholes.includes(p.pgid);
  const words = [
    ...pids.filter((p) => !inGroup(p)).map((p) => `${p.pid}:${p.start}`),
    ...wholes.map(
      (g) =>
        `${g}=${pids
          .filter((p) => p.pgid === g)
          .map((p) => `${p.pid}:${p.start}`)
          .join(',')}`,
    ),
  ];
  if (words.length === 0) return result;
  const r = await host.run('sh', ['-c', SIGNAL_SCRIPT, 'sh', sig, ...words]);
  if (r.exitCode === undefined)
    throw new CommandError(
      ['sh', '-c', 'SIGNAL_SCRIPT', 'sh', sig, ...words],
      r.exitCode,
      r.stderr,
      `sending SIG${sig}`,
    );
  for (const line of r.stdout.split('\n')) {
    const [verb, id, more] = line.split(' ');
    const n = Number(id);
    if (verb === 'sent') result.sent.push(n);
    else if (verb === 'group') result.groups.push(n);
    else if (verb === 'moved') result.moved.push(n);
    else if (verb === 'alive') result.alive.set(n, more ?? '');
  }
  result.complaints = r.stderr
    .split('\n')
    .filter((l) => l.trim() && !/no such process/i.test(l))
    .join('; ');
  return result;
}
