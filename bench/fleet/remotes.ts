import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { countLines, gitDaemon, hgServe, type Served } from '../../test/helpers/vcs.js';

/** The central servers every host's checkouts pull from, as a real pool pulls from one hg.mozilla.org. */
export interface Remotes {
  urls: Record<'hg' | 'git', string>;
  /** the two servers (their forks follow them into a cgroup) */
  pids: number[];
  /** remote look-ups served so far: hg commands (one `capabilities` each), git `upload-pack` requests */
  served: () => Record<'hg' | 'git', number>;
  stop: () => Promise<void>;
}

/** One `hg serve` and one `git daemon` on loopback, each logging every request it answers. */
export async function startRemotes(root: string, sources: Record<'hg' | 'git', string>): Promise<Remotes> {
  const logs = { hg: join(root, 'remotes', 'hg.log'), git: join(root, 'remotes', 'git.log') };
  mkdirSync(dirname(logs.hg), { recursive: true });
  const started: Served[] = [];
  try {
    started.push(await hgServe(sources.hg, { log: logs.hg }));
    started.push(await gitDaemon(dirname(sources.git), logs.git));
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
  const [hg, git] = started as [Served, Served];
  return {
    urls: { hg: hg.url, git: `${git.url}${sources.git.split('/').at(-1)}` },
    pids: [hg.pid, git.pid],
    served: () => ({ hg: countLines(logs.hg, 'cmd=capabilities'), git: countLines(logs.git, 'Request upload-pack') }),
    stop: async () => void (await Promise.all(started.map((s) => s.stop()))),
  };
}
