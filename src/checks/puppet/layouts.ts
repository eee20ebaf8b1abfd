/**
 * Where a root puppet 7 keeps its last run summary and its disable lock, by package, as `puppet config print`
 * says with nothing configured: `lastrunfile` is `$publicdir/last_run_summary.yaml`, `agent_disabled_lockfile`
 * `$statedir/agent_disabled.lock`, `statedir` `$vardir/state`. The packages differ in where publicdir sits:
 * beside vardir (AIO: `/opt/puppetlabs/puppet/{public,cache}`) or inside it (Debian: `/var/cache/puppet/public`).
 */
export interface Layout {
  name: string;
  /** the package makes it; newer upstream puppet itself takes the first of these that is a directory */
  vardir: string;
  summary: string;
  lock: string;
  /** the puppet.conf that could move them */
  conf: string;
}

export const LAYOUTS: readonly Layout[] = [
  {
    name: 'puppetlabs AIO',
    vardir: '/opt/puppetlabs/puppet/cache',
    summary: '/opt/puppetlabs/puppet/public/last_run_summary.yaml',
    lock: '/opt/puppetlabs/puppet/cache/state/agent_disabled.lock',
    conf: '/etc/puppetlabs/puppet/puppet.conf',
  },
  {
    name: 'Debian',
    vardir: '/var/cache/puppet',
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

/**
 * The layout that tells where this host's puppet keeps things: the one a configured summary's path names;
 * for a summary elsewhere, the one package installed (its vardir a directory); with no summary configured,
 * the one whose summary exists. Undefined when none or both do.
 */
export function chooseLayout(
  summary: string | undefined,
  isDir: (path: string) => boolean,
  exists: (path: string) => boolean,
): Layout | undefined {
  const named = LAYOUTS.find((l) => l.summary === summary);
  if (named) return named;
  const found = LAYOUTS.filter((l) => (summary ? isDir(l.vardir) : exists(l.summary)));
  return found.length === 1 ? found[0] : undefined;
}
