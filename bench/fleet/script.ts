import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeed, requestsFor } from '../../src/checks/clobber/parse.js';
import { PS_FIELDS } from '../../src/checks/processes/parse.js';
import { factsArgv } from '../../src/checks/tools/commands.js';
import { VCS_ENV } from '../../src/host/vcs-run.js';
import { commandLine } from '../../src/host/quote.js';
import type { FleetHost, Variant } from './hosts.js';

const FIND = `-printf '%y %D %i %m %U %G %s %T@ %P\\0'`;

/**
 * The commands runner's five probes run on one host, as one shell script: no logic, just the same remote work.
 * The remote heads are asked on the first host only: runner asks each URL once per run, for every host.
 */
function hostScript(h: FleetHost, tools: boolean, asksRemotes: boolean): string {
  const v = h.vars as Record<string, string>;
  const b = v.base as string;
  const requests = requestsFor(
    parseFeed(readFileSync(v.feed as string, 'utf8'), 'feed'),
    v.worker_name as string,
  ).requests;
  const env = Object.entries(VCS_ENV)
    .map(([k, x]) => `${k}=${x}`)
    .join(' ');
  return [
    // purge: the base dir and its entries, free space, sizes of what is past max_age
    `find -H ${b} -maxdepth 1 ${FIND}`,
    `stat -f -c '%a %s' ${b}`,
    `find ${b} -mindepth 1 -maxdepth 1 -type d -mtime +21 -exec du -s -x -B1 -0 {} +`,
    // clobber: the feed, then each requested dir, its marker and its entries
    `cat ${v.feed}`,
    ...requests.map(
      (r) => `find ${join(b, r.builddir)} -maxdepth 1 ${FIND}; cat ${join(b, r.builddir, 'last-clobber')}`,
    ),
    // tools: the local facts of each checkout, and the remote heads
    ...(tools
      ? [
          `(cd / && env ${env} ${commandLine(['sh', ...factsArgv(v.hg_path as string, 'hg')])})`,
          `(cd / && env ${env} ${commandLine(['sh', ...factsArgv(v.git_path as string, 'git')])})`,
        ]
      : []),
    ...(tools && asksRemotes
      ? [
          `(cd / && env ${env} hg identify -r default -T '{node}' -- ${v.hg_repo})`,
          `(cd / && env ${env} git ls-remote --symref -- ${v.git_repo} HEAD)`,
        ]
      : []),
    // puppet: the agent lock, the summary
    `cat ${v.lock} ${v.summary}`,
    // processes: the baseline, the users and every process
    `cat ${v.baseline}; getent passwd ${v.job_user}; ps -ww -eo ${PS_FIELDS}`,
  ].join('\n');
}

/**
 * One script for all hosts, picking each host's part by the address it was reached on ($SSH_CONNECTION):
 * parallel-ssh sends every host the same command. Output is discarded; errors do not stop it.
 */
export function writeProbeScript(root: string, hosts: readonly FleetHost[], variant: Variant): string {
  const cases = hosts.map(
    (h, i) =>
      `${h.sshd.address}) ${hostScript(h, variant === 'all', i === 0)
        .split('\n')
        .join('\n  ')} ;;`,
  );
  const file = join(root, `probe-${variant}.sh`);
  writeFileSync(
    file,
    ['set -- $SSH_CONNECTION', 'case "$3" in', ...cases, 'esac >/dev/null 2>&1', 'exit 0', ''].join('\n'),
  );
  return file;
}
