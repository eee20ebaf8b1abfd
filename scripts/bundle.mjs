// Bundles the CLI into one CommonJS script, dist/bundle.cjs, started by dist/runner.cjs (the bin) from a V8 code
// cache made here: Node would otherwise resolve and compile ~150 small modules (twice the start-up), and compile
// the bundle anew on every start (Node 20 keeps no code cache for ES modules; it does for vm.Script).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { makeWorker, workerConfig } from '../dist/fixtures/worker.js';

// ssh2 is bundled whole; its optional native parts (sshcrypto.node, cpu-features) are not shipped: each require
// throws, and ssh2 falls back as it does without them (AES-GCM through node:crypto's OpenSSL). Every form (this
// repo, the npm tarball, the single executable of the .deb, which cannot load a .node file) runs the same code,
// and none loads whatever ssh2 happens to sit on the machine's module path.
const sshNative = {
  name: 'ssh2-native',
  setup(b) {
    b.onResolve({ filter: /^cpu-features$|sshcrypto\.node$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not shipped with runner`)});`,
      loader: 'js',
    }));
  },
};

const { outputFiles } = await build({
  entryPoints: ['dist/src/bin/runner.js'],
  outfile: 'dist/bundle.cjs',
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [sshNative],
  logLevel: 'warning',
  legalComments: 'none',
});
// the entry's #! line cannot stand inside the function wrapper; blanked, so line numbers stay. esbuild escapes
// non-ASCII in code but not in the comments it keeps: escaped too, so V8 holds the source as one byte per char
// (2 MB, not 4) and reads it faster
const ascii = (text) => text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
writeFileSync('dist/bundle.cjs', ascii(outputFiles[0].text.replace(/^#!.*/, '')));

// CommonJS, not an ES module: Node starts a .cjs entry ~9 ms sooner (no ESM loader)
const launcher = `#!/usr/bin/env node
'use strict';
// Runs bundle.cjs from the code cache beside it; V8 checks the cache (source, version, flags) and compiles anew when it does not fit.
const { readFileSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const vm = require('node:vm');

const file = join(__dirname, 'bundle.cjs');
const cache = \`\${file}.cache\`;
let cachedData;
try {
  cachedData = readFileSync(cache);
} catch {
  // no cache: compiled as usual
}
// CommonJS's own wrapper, so the bundle runs as the module it was built as
const source = \`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, 'utf8')}\\n})\`;
const script = new vm.Script(source, { filename: file, cachedData });
// the build writes the cache after one run, so it holds what start-up compiles (scripts/bundle.mjs)
if (process.env.RUNNER_WRITE_CODE_CACHE === cache) process.once('exit', () => writeFileSync(cache, script.createCachedData()));
const bundle = { exports: {} };
script.runInThisContext().call(bundle.exports, bundle.exports, createRequire(file), bundle, file, __dirname);
`;
writeFileSync('dist/runner.cjs', launcher, { mode: 0o755 });
// the launcher of earlier builds, an ES module of the same name's
rmSync('dist/runner.mjs', { force: true });

// The cache holds what one run compiled: a check of a small worker (clobber, purge, processes), read-only, as the
// common run is; it starts `runner check` ~20 ms sooner than a cache of `runner checks` (bench/startup.ts)
const cache = `${process.cwd()}/dist/bundle.cjs.cache`;
rmSync(cache, { force: true });
const root = mkdtempSync(join(tmpdir(), 'runner-code-cache-'));
try {
  const worker = makeWorker(root, { dirs: 12, maxDirBytes: 20_000 });
  const config = join(root, 'runner.yaml');
  const procs = `  - processes: { users: [65534], baseline: ${join(root, 'processes.baseline')} }\n`;
  // a reachable purge target (30 % of the dirs' bytes): the cache holds the drift path, not the failure one
  writeFileSync(config, workerConfig(worker, Math.round(worker.bytes * 0.3)) + procs);
  // exit 2 (drift) is this run's purpose; only a missing cache is a failure
  spawnSync(process.execPath, ['dist/runner.cjs', 'check', '-c', config], {
    stdio: 'ignore',
    env: { ...process.env, RUNNER_WRITE_CODE_CACHE: cache },
  });
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (!existsSync(cache)) throw new Error(`no code cache written to ${cache}`);
