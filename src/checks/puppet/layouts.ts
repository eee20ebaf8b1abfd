/**
 * Where a root puppet 7 keeps its last run summary and its disable lock, by package, as `puppet config print`
 * says with nothing configured: `lastrunfile` is `$publicdir/last_run_summary.yaml`, `agent_disabled_lockfile`
 * `$statedir/agent_disabled.lock`, `statedir` `$vardir/state`. The packages differ in where publicdir sits:
 * beside vardir (AIO: `/opt/puppetlabs/puppet/{public,cache}`) or inside it (Debian: `/var/cache/puppet/public`).
 */
export interface Layout {
  name: string;
  summary: string;
  lock: string;
  /** the puppet.conf that could move them */
  conf: string;
}

export const LAYOUTS: readonly Layout[] = [
  {
    name: 'puppetlabs AIO',
    summary: '/opt/puppetlabs/puppet/public/last_run_summary.yaml',
    lock: '/opt/puppetlabs/puppet/cache/state/agent_disabled.lock',
    conf: '/etc/puppetlabs/puppet/puppet.conf',
  },
  {
    name: 'Debian',
    summary: '/var/cache/puppet/public/last_run_summary.yaml',
    lock: '/var/cache/puppet/state/agent_disabled.lock',
    conf: '/etc/puppet/puppet.conf',
  },
];

/** The settings that move the summary or the lock away from their package's default. */
const MOVERS = ['vardir', 'statedir', 'agent_disabled_lockfile', 'publicdir', 'lastrunfile'];

/** The settings of `MOVERS` a puppet.conf sets, in any section: `vardir = /srv/puppet`. */
export function moversSet(conf: string): string[] {
  const set = conf.split('\n').map((line) => /^\s*([A-Za-z_]+)\s*=/.exec(line)?.[1] ?? '');
  return MOVERS.filter((name) => set.includes(name));
}

/** The layouts a configured summary or lock can belong to (all of them when neither is configured). */
export function candidates(summary?: string, lock?: string): readonly Layout[] {
  return LAYOUTS.filter((l) => (summary ?? l.summary) === l.summary && (lock ?? l.lock) === l.lock);
}
