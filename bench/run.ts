import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `npm run bench`: every bench script in turn, each printing its figures and merging them into bench/results.json.
const only = process.argv.slice(2);
const all = ['startup', 'local', 'tools', 'puppet', 'processes', 'audit', 'daemon'];
let failed = false;
for (const name of only.length ? only : all) {
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (!existsSync(file)) continue;
  console.log(`\n## bench: ${name}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  failed ||= r.status !== 0;
}
process.exitCode = failed ? 1 : 0;
