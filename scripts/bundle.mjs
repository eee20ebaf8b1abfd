// Bundles the CLI into one CommonJS script, dist/runner.cjs, started by dist/runner.mjs from a V8 code cache
// made here: Node would otherwise resolve and compile ~150 small modules (twice the start-up), and compile
// the bundle anew on every start (Node 20 keeps no code cache for ES modules; it does for vm.Script).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// ssh2 is bundled too; its optional native binding stays a file of the installed package, required from there
const sshNative = {
  name: 'ssh2-native',
  setup(b) {
    b.onResolve({ filter: /sshcrypto\.node$/ }, () => ({
      path: 'ssh2/lib/protocol/crypto/build/Release/sshcrypto.node',
      external: true,
    }));
  },
};

const { outputFiles } = await build({
  entryPoints: ['dist/src/bin/runner.js'],
  outfile: 'dist/runner.cjs',
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['cpu-features'],
  plugins: [sshNative],
  logLevel: 'warning',
  legalComments: 'none',
});
// the entry's #! line cannot stand inside the function wrapper; blanked, so line numbers stay
writeFileSync('dist/runner.cjs', outputFiles[0].text.replace(/^#!.*/, ''));

const launcher = `#!/usr/bin/env node
// Runs runner.cjs from the code cache beside it; V8 checks the cache (source, version, flags) and compiles anew when it does not fit.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./runner.cjs', import.meta.url));
const cache = \`\${file}.cache\`;
let cachedData;
try {
  cachedData = readFileSync(cache);
} catch {
  // no cache: compiled as usual
}
// CommonJS's own wrapper, so the bundle runs as the module it was built as
const source = \`(function (exports, require, module, __filename, __dirname) {\${readFileSync(file, 'utf8')}\n})\`;
const script = new vm.Script(source, { filename: file, cachedData });
// the build writes the cache after one run, so it holds what start-up compiles (scripts/bundle.mjs)
if (process.env.RUNNER_WRITE_CODE_CACHE === cache) process.once('exit', () => writeFileSync(cache, script.createCachedData()));
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
`;
writeFileSync('dist/runner.mjs', launcher, { mode: 0o755 });

const cache = `${process.cwd()}/dist/runner.cjs.cache`;
rmSync(cache, { force: true });
execFileSync(process.execPath, ['dist/runner.mjs', 'checks'], {
  stdio: 'ignore',
  env: { ...process.env, RUNNER_WRITE_CODE_CACHE: cache },
});
