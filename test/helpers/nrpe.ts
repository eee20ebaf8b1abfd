import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from './ports.js';
import { sleep } from '../../src/core/sleep.js';

export const NRPE = '/usr/sbin/nrpe';
export const CHECK_NRPE = '/usr/lib/nagios/plugins/check_nrpe';

/** One real NRPE daemon on 127.0.0.1, in the foreground as our child, with its own config under `dir`. */
export interface Nrpe {
  port: number;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

export interface NrpeOptions {
  dir: string;
  /** the user nrpe drops to before it runs a command, as nrpe_user/nrpe_group */
  user: string;
  /** command[name]=line */
  commands: Record<string, string>;
  /** further config lines, e.g. those of deploy/nagios/runner.cfg */
  extra?: readonly string[];
}

export function requireBinary(path: string, pkg: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: install the Debian package ${pkg} (.ci/run installs it)`);
  }
}

/** Starts nrpe without SSL (-n) in the foreground (-f); resolves once it listens. */
export async function startNrpe(opts: NrpeOptions): Promise<Nrpe> {
  requireBinary(NRPE, 'nagios-nrpe-server');
  const port = await freePort();
  const logFile = join(opts.dir, 'nrpe.log');
  const cfg = join(opts.dir, 'nrpe.cfg');
  const lines = [
    'server_address=127.0.0.1',
    `server_port=${port}`,
    'allowed_hosts=127.0.0.1',
    `nrpe_user=${opts.user}`,
    `nrpe_group=${opts.user}`,
    'dont_blame_nrpe=0',
    'disable_syslog=1',
    `log_file=${logFile}`,
    'debug=1',
    `pid_file=${join(opts.dir, 'nrpe.pid')}`,
    ...(opts.extra ?? []),
    ...Object.entries(opts.commands).map(([name, line]) => `command[${name}]=${line}`),
  ];
  writeFileSync(cfg, `${lines.join('\n')}\n`);
  const proc = spawn(NRPE, ['-n', '-c', cfg, '-f'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + stderr;
  for (let waited = 0; !log().includes('Listening for connections'); waited += 50) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`nrpe on 127.0.0.1:${port} exited ${proc.exitCode ?? proc.signalCode}:\n${log()}`);
    if (waited > 30_000) throw new Error(`nrpe on 127.0.0.1:${port} did not listen within 30 s:\n${log()}`);
    await sleep(50);
  }
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    process.kill(proc.pid as number, 'SIGTERM');
    await exited;
  };
  return { port, pid: proc.pid as number, log, stop };
}

/** The real check_nrpe asking `nrpe` for `command`, as the Nagios server would (no SSL, like the daemon). */
export async function checkNrpe(nrpe: Nrpe, command: string): Promise<{ code: number | undefined; stdout: string }> {
  requireBinary(CHECK_NRPE, 'nagios-nrpe-plugin');
  const args = ['-H', '127.0.0.1', '-p', String(nrpe.port), '-n', '-t', '120', '-c', command];
  const r = await execa(CHECK_NRPE, args, { reject: false });
  return { code: r.exitCode, stdout: r.stdout };
}
