import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

export const RUNNER_BIN = fileURLToPath(new URL('../../dist/runner.cjs', import.meta.url));

/** Spawns the built `runner` binary (npm test builds it first), like an operator would. */
export async function runner(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const r = await execa('node', [RUNNER_BIN, ...args], {
    reject: false,
    env: { NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd,
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}
