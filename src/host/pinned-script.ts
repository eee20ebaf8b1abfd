/**
 * The one script behind every action on a directory the build user can change (src/host/pinned.ts), run by
 * `sh` on the host. Arguments: VERB DIR DEV INO [FIXED…] then one group per entry; it prints one
 * `INDEX STATUS [detail]` line per entry (or `pin WHY` and nothing else), so names never shape the output.
 * It enters DIR with `cd -P`, then requires that `pwd -P` is DIR (no symlink on the way) and that `.` has the
 * probed device and inode; from there on every path is `./NAME`, relative to that directory, so a swap of
 * DIR or of anything above it cannot redirect an action. rm never follows symlinks nor leaves the filesystem;
 * mv -T never moves into a directory, and `defer` renames with -n (renameat2 RENAME_NOREPLACE: never over
 * anything); `reap` deletes an entry only while its device, inode, owner and type are the recorded ones;
 * writes create a new file (noclobber: O_EXCL) and rename it into place, or (`create`) create the file
 * itself only if it does not exist.
 */
export const PIN_SCRIPT = `
verb=$1 dir=$2 dev=$3 ino=$4; shift 4
cd -P -- "$dir" 2>/dev/null || { echo 'pin missing'; exit 0; }
[ "$(pwd -P)" = "$dir" ] || { echo 'pin moved'; exit 0; }
[ "$(stat -c '%d %i' .)" = "$dev $ino" ] || { echo 'pin replaced'; exit 0; }
say() { printf '%s %s %s\\n' "$1" "$2" "$(printf '%s' "$3" | tr '\\n\\r' '  ' | head -c 400)"; }
present() { [ -e "$1" ] || [ -h "$1" ]; }
# id NAME DEV INO: the entry exists and, unless DEV is -, is still that device and inode
same() { got=$(stat -c '%d %i' -- "$1" 2>/dev/null) || return 2; [ "$2" = - ] || [ "$got" = "$2 $3" ] || return 3; }
# DEV INO UID HEXMODE -> DEV INO UID TYPE (the S_IFMT bits, in decimal)
ident() { echo "$1 $2 $3 $(( 0x$4 & 61440 ))"; }
# rm as root needs no write permission; another user cannot unlink in a dir it made read-only without this
purge() {
  out=$(rm -rf --one-file-system -- "$1" 2>&1)
  if present "$1" && [ "$(id -u)" != 0 ]; then
    find "$1" -xdev -type d ! -perm -u=rwx -exec chmod u+rwx {} + 2>/dev/null
    out=$(rm -rf --one-file-system -- "$1" 2>&1)
  fi
  if present "$1"; then say "$i" remaining "$out"; else echo "$i gone"; fi
}
i=0
case $verb in
retire)
  while [ $# -ge 4 ]; do
    n=./$1 t=./$4; same "$n" "$2" "$3"; rc=$?
    if [ $rc = 2 ]; then echo "$i missing"
    elif [ $rc = 3 ]; then echo "$i replaced"
    elif present "$t" && ! out=$(rm -rf --one-file-system -- "$t" 2>&1); then say "$i" failed "$out"
    elif ! out=$(mv -f -T -- "$n" "$t" 2>&1); then say "$i" failed "$out"
    else purge "$t"
    fi
    i=$((i + 1)); shift 4
  done ;;
remove)
  while [ $# -ge 3 ]; do
    n=./$1; same "$n" "$2" "$3"; rc=$?
    if [ $rc = 2 ]; then echo "$i missing"
    elif [ $rc = 3 ]; then echo "$i replaced"
    else purge "$n"
    fi
    i=$((i + 1)); shift 3
  done ;;
defer)
  while [ $# -ge 4 ]; do
    n=./$1 t=./$4; same "$n" "$2" "$3"; rc=$?
    if [ $rc = 2 ]; then echo "$i missing"
    elif [ $rc = 3 ]; then echo "$i replaced"
    else
      out=$(mv -n -T -- "$n" "$t" 2>&1)
      if same "$t" "$2" "$3"; then echo "$i gone"
      elif same "$n" "$2" "$3"; then echo "$i taken"
      else say "$i" failed "$out"
      fi
    fi
    i=$((i + 1)); shift 4
  done ;;
reap)
  how=$1; shift
  while [ $# -ge 5 ]; do
    n=./$1
    if ! got=$(stat -c '%d %i %u %f' -- "$n" 2>/dev/null); then echo "$i missing"
    elif [ "$(ident $got)" != "$2 $3 $4 $5" ]; then echo "$i replaced"
    elif [ "$how" = rm ]; then purge "$n"
    else
      out=$(find "$n" -xdev -depth -uid "$how" -delete 2>&1)
      if present "$n"; then say "$i" remaining "$out"; else echo "$i gone"; fi
    fi
    i=$((i + 1)); shift 5
  done ;;
owned)
  uid=$1; shift
  while [ $# -ge 3 ]; do
    n=./$1; same "$n" "$2" "$3"; rc=$?
    if [ $rc = 2 ]; then echo "$i missing"
    elif [ $rc = 3 ]; then echo "$i replaced"
    else
      out=$(find "$n" -xdev -depth -uid "$uid" -delete 2>&1)
      if present "$n"; then say "$i" remaining "$out"; else echo "$i gone"; fi
    fi
    i=$((i + 1)); shift 3
  done ;;
create)
  umask "$1"; shift; set -C
  if out=$( { printf '%s' "$3" > "./$1"; } 2>&1 ); then echo '0 gone'; else say 0 failed "$out"; fi ;;
write)
  umask "$1"; shift; set -C
  if out=$( { printf '%s' "$3" > "./$2"; } 2>&1 ) && out=$(mv -f -T -- "./$2" "./$1" 2>&1); then echo '0 gone'
  else rm -f -- "./$2"; say 0 failed "$out"
  fi ;;
esac
`;
