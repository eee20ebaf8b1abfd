import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeToolsCheckouts, makeToolsSources } from '../../fixtures/tools.js';
import { makeWorker, type Worker } from '../../fixtures/worker.js';
import { formatBaseline } from '../../src/checks/processes/parse.js';
import { sshClient, startSshd, type Sshd } from '../../test/helpers/sshd.js';
import { startRemotes, type Remotes } from './remotes.js';

/** The checks benched: all five, or all but tools (whose hg status and hg identify dominate a host's CPU). */
export type Variant = 'all' | 'no-tools';
export const VARIANTS: readonly Variant[] = ['all', 'no-tools'];

/** One benched host: a real sshd on its own loopback address and the state the five checks look at. */
export interface FleetHost {
  name: string;
  /** everything of this host lives under here */
  dir: string;
  sshd: Sshd;
  worker: Worker;
  /** the runner.yaml on the host, per variant: all five checks, or all but tools (no hg, no git) */
  config: Record<Variant, string>;
  /** paths the Ansible playbook gets as host vars */
  vars: Record<string, string>;
}

/** What every host shares: the tools sources, the stray-process user and its baseline. */
export interface FleetShared {
  root: string;
  client: { user: string; key: string; authorizedKeys: string };
  /** the URLs every host's checkouts pull from */
  tools: Record<'hg' | 'git', string>;
  remotes: Remotes;
  /** one checkout of each, copied to every host */
  template: Record<'hg' | 'git', string>;
  job: { user: string; uid: number; baseline: string };
}

const SUMMARY = fileURLToPath(new URL('../../../fixtures/puppet/summary-converged.yaml', import.meta.url));

/**
 * Sources of the tools repos served by one `hg serve` and one `git daemon` on loopback, and template
 * checkouts cloned from those URLs, owned by the login user (hg and git run as it). Stop `remotes` when done.
 */
export async function makeShared(
  root: string,
  job: { user: string; uid: number },
  baselineArgs: readonly string[],
): Promise<FleetShared> {
  chmodSync(root, 0o755);
  const client = sshClient(join(root, 'client'));
  const sources = makeToolsSources(root);
  const remotes = await startRemotes(root, sources);
  try {
    const tools = remotes.urls;
    const [hg, git] = makeToolsCheckouts(join(root, 'template'), tools);
    const baseline = join(root, 'processes.baseline');
    // what a fresh worker runs as the build user: the baseline every host starts from
    const entries = [{ uid: job.uid, args: baselineArgs.join(' '), count: 1 }];
    writeFileSync(baseline, formatBaseline({ uids: [job.uid], entries }, 'written by bench/audit'));
    execFileSync('chown', ['-R', client.user, join(root, 'tools-src'), join(root, 'template')]);
    return {
      root,
      client,
      tools,
      remotes,
      template: { hg: hg?.path as string, git: git?.path as string },
      job: { ...job, baseline },
    };
  } catch (err) {
    await remotes.stop();
    throw err;
  }
}

/** Host `i`: a worker tree, an hg and a git checkout, a puppet summary, a processes baseline, a runner.yaml, an sshd. */
export async function makeHost(shared: FleetShared, i: number, address: string): Promise<FleetHost> {
  const name = `bld-${String(i + 1).padStart(2, '0')}`;
  const dir = join(shared.root, name);
  const worker = makeWorker(dir, { dirs: 30, host: name, maxDirBytes: 300_000 });
  const tools = join(dir, 'tools');
  mkdirSync(tools);
  execFileSync('cp', ['-a', shared.template.hg, join(tools, 'hg')]);
  execFileSync('cp', ['-a', shared.template.git, join(tools, 'git')]);
  execFileSync('chown', ['-R', shared.client.user, tools]);
  const puppet = join(dir, 'puppet');
  mkdirSync(puppet);
  const summary = readFileSync(SUMMARY, 'utf8').replace(/last_run: \d+/, `last_run: ${Math.floor(Date.now() / 1000)}`);
  writeFileSync(join(puppet, 'last_run_summary.yaml'), summary);
  const baseline = join(dir, 'processes.baseline');
  writeFileSync(baseline, readFileSync(shared.job.baseline));
  const vars = {
    base: worker.base,
    feed: worker.feed,
    worker_name: name,
    hg_path: join(tools, 'hg'),
    git_path: join(tools, 'git'),
    hg_repo: shared.tools.hg,
    git_repo: shared.tools.git,
    summary: join(puppet, 'last_run_summary.yaml'),
    lock: join(puppet, 'agent_disabled.lock'),
    baseline,
    job_user: shared.job.user,
  };
  const config = { all: join(dir, 'runner.yaml'), 'no-tools': join(dir, 'runner-no-tools.yaml') };
  writeFileSync(config.all, runnerConfig(vars, true));
  writeFileSync(config['no-tools'], runnerConfig(vars, false));
  const sshd = await startSshd({
    dir: join(dir, 'sshd'),
    address,
    authorizedKeys: shared.client.authorizedKeys,
    logLevel: 'INFO',
  });
  return { name, dir, sshd, worker, config, vars };
}

/** The five checks (or all but tools), as a worker's runner.yaml would have them. */
function runnerConfig(v: Record<string, string>, tools: boolean): string {
  return [
    'checks:',
    `  - purge: { dirs: [${v.base}], free: 1GB, max_age: 21d, keep: [info, "rel-*:10d"], min_age: 1h }`,
    `  - clobber: { dir: ${v.base}, feed: ${v.feed}, host: ${v.worker_name} }`,
    ...(tools
      ? [
          '  - tools:',
          '      checkouts:',
          `        - { path: ${v.hg_path}, vcs: hg, repo: ${v.hg_repo} }`,
          `        - { path: ${v.git_path}, vcs: git, repo: ${v.git_repo} }`,
        ]
      : []),
    // as users write it: the summary alone (the lock and max_age left to their defaults)
    `  - puppet: { summary: ${v.summary} }`,
    `  - processes: { users: [${v.job_user}], baseline: ${v.baseline}, min_age: 5s }`,
    '',
  ].join('\n');
}
