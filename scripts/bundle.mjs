// Bundles the CLI into one file: Node resolves and compiles ~150 small modules otherwise, which doubles start-up.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/bin/runner.js'],
  outfile: 'dist/runner.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ssh2 loads optional native bindings at run time; keep it (and them) as real packages
  external: ['ssh2', 'cpu-features'],
  banner: { js: "import { createRequire as __runnerRequire } from 'node:module'; const require = __runnerRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
