import { spawn } from 'node:child_process';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A worker process the daemon started, leader of its own session (setsid). */
export interface WorkerProcess {
  pid: number;
  exited: Promise<WorkerExit>;
  /** the last lines it wrote on stdout/stderr (buildbot writes its log to twistd.log, so normally none) */
  output(): string;
}

export interface SpawnSpec {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

const KEEP_OUTPUT = 4096;

/** Starts the worker as leader of a new session, so everything it leaves behind shares its session id. */
export function spawnWorker(spec: SpawnSpec): Promise<WorkerProcess> {
  const [file, ...args] = spec.argv as [string, ...string[]];
  const child = spawn(file, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-KEEP_OUTPUT));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // 'exit', not 'close': processes left in the session may hold its stdout open for a long time
  const exited = new Promise<WorkerExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`cannot start worker '${spec.argv.join(' ')}': ${err.message}`)));
    child.once('spawn', () => resolve({ pid: child.pid as number, exited, output: () => output.trim() }));
  });
}
