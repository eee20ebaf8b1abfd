#!/usr/bin/env node
import { runCli } from '../cli.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`got ${sig}`));
  });
}

// no top-level await: the bundle is a CommonJS script, so V8 can start it from a code cache (scripts/bundle.mjs)
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
