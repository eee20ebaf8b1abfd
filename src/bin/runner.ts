#!/usr/bin/env node
import { runCli } from '../cli.js';

const controller = new AbortController();
// the first signal aborts io.signal; a second one goes to the command's handlers (the daemon stops its worker
// session at once), or exits 130 when there are none; a third always exits 130
const second: Array<() => void> = [];
const listeners: Array<(name: NodeJS.Signals, count: number) => void> = [];
let count = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    count += 1;
    // told first, so the daemon logs each signal before anything acts on it (a third exits at once)
    for (const listener of listeners) {
      try {
        listener(sig, count);
      } catch {
        // a log that cannot be written must not keep a signal from acting
      }
    }
    if (!controller.signal.aborted) return controller.abort(new Error(`got ${sig}`));
    if (second.length === 0) process.exit(130);
    for (const handler of second.splice(0)) handler();
  });
}

// no top-level await: the bundle is a CommonJS script, so V8 can start it from a code cache (scripts/bundle.mjs)
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  onSecondSignal: (handler) => second.push(handler),
  onSignal: (listener) => listeners.push(listener),
}).then((code) => {
  process.exitCode = code;
});
