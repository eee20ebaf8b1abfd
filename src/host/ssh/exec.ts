import type { Client } from 'ssh2';
import { encodeBytes } from '../../core/bytes.js';
import type { CommandResult } from '../../core/types.js';
import { Capped, MAX_STDERR, MAX_STDOUT, resultOf, type OutputLimits } from './capped.js';

export interface ExecOptions extends OutputLimits {
  input?: string;
  timeoutMs?: number;
}

/**
 * One exec channel: the command's exit code and output; stdin gets `input` or EOF at once. Command and input
 * are sent as the bytes they stand for (src/core/bytes.ts); a stream past its cap closes the channel (the
 * remote command gets SIGPIPE) and the result is a failure.
 */
export function exec(client: Client, command: string, opts: ExecOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // ssh2 sends a Buffer command as is (its types only say string)
    client.exec(encodeBytes(command) as unknown as string, (err, stream) => {
      if (err) return reject(err);
      const out = new Capped('stdout', opts.maxStdout ?? MAX_STDOUT);
      const errOut = new Capped('stderr', opts.maxStderr ?? MAX_STDERR);
      let exitCode: number | undefined;
      let signal: string | undefined;
      let timedOut = false;
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(resultOf(timedOut ? undefined : exitCode, out, errOut, { timedOut, ...(signal ? { signal } : {}) }));
      };
      const take = (s: Capped, d: Buffer) => {
        s.push(d);
        if (s.over) {
          stream.close();
          finish();
        }
      };
      // the remote side is killed by `timeout` (see withTimeout); this only stops waiting for it
      const timer =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              stream.close();
              finish();
            }, opts.timeoutMs + 2000);
      stream.on('data', (d: Buffer) => take(out, d));
      stream.stderr.on('data', (d: Buffer) => take(errOut, d));
      stream.on('exit', (code: number | null, sig?: string) => {
        exitCode = code ?? undefined;
        signal = sig ? `SIG${sig}` : undefined;
      });
      stream.on('close', finish);
      stream.end(opts.input === undefined ? undefined : encodeBytes(opts.input));
    });
  });
}
