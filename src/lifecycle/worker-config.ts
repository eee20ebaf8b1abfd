import { join } from 'node:path';
import type { Lifecycle } from '../config/lifecycle.js';
import { workerCommand } from '../config/lifecycle.js';
import { ConfigError, describeError } from '../core/errors.js';
import type { ReadHost } from '../core/types.js';
import { lookupUser } from '../core/users.js';
import { workerPath } from './launch.js';
import { allowShutdownFor, parseAllowShutdown } from './tac.js';

/** buildbot.tac is small; a bigger one is not read */
const TAC_MAX_BYTES = 64 * 1024;

/**
 * What the config says about the worker that only the machine can tell: buildbot.tac allows the configured
 * drain, the worker user exists, its command is there. Checked before the first start and at each reload, so
 * a typo is a config error (exit 1, or the previous config kept) and never a failed try that ends in a halt.
 */
export async function checkWorker(host: ReadHost, lc: Lifecycle, file: string): Promise<void> {
  const problems = [
    ...(await tacProblems(host, lc, file)),
    ...(await userProblems(host, lc, file)),
    ...(await commandProblems(host, lc, file)),
  ];
  if (problems.length) throw new ConfigError(problems.join('\n'), problems);
}

/** The build user owns the basedir: the tac is read bounded, without following links, and parsed as data. */
async function tacProblems(host: ReadHost, lc: Lifecycle, file: string): Promise<string[]> {
  const tac = join(lc.worker.basedir, 'buildbot.tac');
  const { via } = lc.drain;
  const want = allowShutdownFor(via);
  const text = await host.readFile(tac, { maxBytes: TAC_MAX_BYTES }).catch((err: Error) => err);
  if (text instanceof Error) {
    const said = describeError(text);
    return [said.startsWith(tac) ? said : `${tac}: ${said}`];
  }
  if (text === null)
    return [
      `${tac}: no such file: lifecycle.worker.basedir of ${file} must be a buildbot worker dir (buildbot-worker create-worker --allow-shutdown=${want} …)`,
    ];
  // what buildbot-worker itself checks first (else: `invalid worker directory`, a start that fails every try)
  const app = lc.worker.log_format === 'buildbot-0.8' ? "Application('buildslave')" : "Application('buildbot-worker')";
  if (!text.includes(app)) return [`${tac}: has no ${app} line: not a buildbot worker dir, the worker would refuse it`];
  const read = parseAllowShutdown(text);
  if ('error' in read) return [`${tac}: ${read.error}`];
  if (read.value === want) return [];
  return [
    `${tac}: ${read.shown}, but lifecycle.drain.via is ${via} in ${file}, which needs allow_shutdown = '${want}' (make them match)`,
  ];
}

async function userProblems(host: ReadHost, lc: Lifecycle, file: string): Promise<string[]> {
  const { user } = lc.worker;
  if (user === undefined || (await lookupUser(host, user))) return [];
  return [`${file}: lifecycle.worker.user: '${user}' does not exist (getent passwd ${user})`];
}

async function commandProblems(host: ReadHost, lc: Lifecycle, file: string): Promise<string[]> {
  const [cmd] = workerCommand(lc.worker) as [string, ...string[]];
  const candidates = cmd.includes('/')
    ? [cmd]
    : workerPath()
        .split(':')
        .filter(Boolean)
        .map((d) => join(d, cmd));
  for (const path of candidates) {
    const st = await host.lstat(path).catch(() => null);
    if (st?.type === 'symlink' || (st?.type === 'file' && (st.mode & 0o111) !== 0)) return [];
  }
  const where = cmd.includes('/') ? 'is not an executable file' : `is not on PATH (${workerPath()})`;
  return [`${file}: lifecycle.worker.command: '${cmd}' ${where}`];
}
