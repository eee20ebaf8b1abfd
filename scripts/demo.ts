import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeToolsCheckouts, makeToolsSources, toolsConfig } from '../fixtures/tools.js';
import { makeWorker, workerConfig } from '../fixtures/worker.js';

// The README's first command: a realistic drifted worker, checked, fixed, and checked again.
const bin = fileURLToPath(new URL('../runner.cjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'runner-demo-'));
const worker = makeWorker(root, { dirs: 60 });
// an hg and a git tools checkout, each a release behind and with a job's leftovers in it
const checkouts = makeToolsCheckouts(root, makeToolsSources(root), { drifted: true });
const config = join(root, 'runner.yaml');
const yaml = workerConfig(worker, Math.round(worker.bytes * 0.5)) + toolsConfig(checkouts);
writeFileSync(config, yaml);

console.log(
  `demo worker: ${worker.base} (${(worker.bytes / 1e6).toFixed(0)} MB in 60 build dirs), tools checkouts under ${root}/tools`,
);
console.log(`config ${config}:\n`);
console.log(yaml.replace(/^/gm, '    '));
let failed = false;
for (const [title, args, want] of [
  ['1. runner check: what has drifted, and the plan', ['check'], 2],
  ['2. runner apply: fix it', ['apply'], 2],
  ['3. runner check again: all ok', ['check'], 0],
] as const) {
  console.log(`\n== ${title}\n$ runner ${args.join(' ')} --config ${config}`);
  const r = spawnSync(process.execPath, [bin, ...args, '--config', config], { stdio: 'inherit' });
  console.log(`(exit ${r.status}; expected ${want})`);
  failed ||= r.status !== want;
}
if (process.env.KEEP_DEMO) console.log(`\nkept ${root}`);
else rmSync(root, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
