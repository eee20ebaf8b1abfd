// Builds dist/sea/runner: one executable that needs no Node.js on the machine (Node's single executable
// applications): a stripped copy of the node running this build, with the bundle and its code cache injected
// (postject). The code cache fits only that node's V8, which is why the copy is of the same binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inject } from 'postject';

const [major, minor] = process.versions.node.split('.').map(Number);
// node:sea's getAsset (the bundle and its cache as assets) came in Node 20.12
if (major < 20 || (major === 20 && minor < 12))
  throw new Error(`scripts/sea.mjs needs Node >= 20.12 for node:sea assets; this is ${process.version}`);

const dir = 'dist/sea';
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const config = {
  main: 'scripts/sea-main.cjs',
  output: `${dir}/runner.blob`,
  disableExperimentalSEAWarning: true,
  assets: { 'bundle.cjs': 'dist/bundle.cjs', 'bundle.cjs.cache': 'dist/bundle.cjs.cache' },
};
writeFileSync(`${dir}/sea-config.json`, JSON.stringify(config, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', `${dir}/sea-config.json`], { stdio: 'ignore' });

const exe = resolve(dir, 'runner');
// node's debug symbols are 13 MB of the 99 a package would carry for nothing
try {
  execFileSync('strip', ['-o', exe, process.execPath]);
} catch (e) {
  console.error(`scripts/sea.mjs: strip failed (${e.message.split('\n')[0]}; binutils): the executable keeps them`);
  copyFileSync(process.execPath, exe);
}
chmodSync(exe, 0o755);
// postject's LIEF warns about ELF notes it does not name; the injection is checked by running the result
const warn = console.warn;
console.warn = () => {};
try {
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(config.output), {
    sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  });
} finally {
  console.warn = warn;
}
const version = execFileSync(exe, ['--version'], { encoding: 'utf8', cwd: '/' }).trim();
const expected = JSON.parse(readFileSync('package.json', 'utf8')).version;
if (version !== expected) throw new Error(`${exe} --version printed ${JSON.stringify(version)}, not ${expected}`);
