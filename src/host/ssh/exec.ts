import type { Client } from 'ssh2';
import type { CommandResult } from '../../core/types.js';

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
}

/** One exec channel: the command's exit code and output; stdin gets `input` or EOF at once. */
export function exec(client: Client, command: string, opts: ExecOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let exitCode: number | undefined;
      let signal: string | undefined;
      let timedOut = false;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(errOut).toString('utf8');
        resolve({ exitCode: timedOut ? undefined : exitCode, stdout, stderr, timedOut, ...(signal ? { signal } : {}) });
      };
      // the remote side is killed by `timeout` (see withTimeout); this only stops waiting for it
      const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
        timedOut = true;
        stream.close();
        finish();
      }, opts.timeoutMs + 2000);
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('exit', (code: number | null, sig?: string) => {
        exitCode = code ?? undefined;
        signal = sig ? `SIG${sig}` : undefined;
      });
      stream.on('close', finish);
      stream.end(opts.input ?? undefined);
    });
  });
}
