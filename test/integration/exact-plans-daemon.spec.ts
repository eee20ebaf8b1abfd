import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runner } from '../helpers/cli.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree, listTree } from '../helpers/tree.js';

// `runner apply --plan` and the daemon never interleave: the disable lock holds it back as it holds the daemon,
// and so does a worker session (the daemon's pid file naming a live process).
const root = sandbox('runner-plan-daemon-');
const base = join(root, 'builds');
const state = join(root, 'state');
const cfg = join(root, 'runner.yaml');
const plan = join(root, 'plan.json');
const pidFile = join(state, 'worker.pid');
const OLD = (Date.now() - 20 * 86_400_000) / 1000;
let session: ChildProcess | undefined;

beforeAll(() => {
  for (const d of ['old-1', 'old-2']) {
    mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, d, 'f'), 'x');
    utimesSync(join(base, d), OLD, OLD);
  }
  mkdirSync(join(base, 'young'));
  mkdirSync(state, { mode: 0o755 });
  mkdirSync(join(root, 'worker'));
  writeFileSync(
    cfg,
    [
      'checks:',
      `  - purge: { dirs: [${JSON.stringify(base)}], max_age: 14d }`,
      'lifecycle:',
      `  state_dir: ${JSON.stringify(state)}`,
      `  worker: { basedir: ${JSON.stringify(join(root, 'worker'))}, command: [sleep, "600"] }`,
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  if (session?.exitCode === null) session.kill('SIGKILL');
});

describe('runner apply --plan through the daemon lock', () => {
  it('refuses while the host is disabled or a worker session runs, naming the lock or the pid; then applies', async () => {
    expect((await runner(['check', '-c', cfg, '--plan-out', plan])).code).toBe(2);
    const before = hashTree(base);

    const disabled = await runner(['disable', '-c', cfg, '--reason', 'disk swap']);
    expect(disabled.code, disabled.stderr).toBe(0);
    const r1 = await runner(['apply', '-c', cfg, '--plan', plan]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain(`refused, nothing changed: the disable lock ${join(state, 'disabled.json')} holds`);
    expect(r1.stderr).toMatch(/disabled by \S+@\S+ since .*: disk swap \(runner enable lifts it\)/);
    expect(hashTree(base)).toBe(before);

    // an unreadable lock holds back as well, as it holds the daemon
    writeFileSync(join(state, 'disabled.json'), '{not json');
    const r2 = await runner(['apply', '-c', cfg, '--plan', plan]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('is unreadable');
    expect((await runner(['enable', '-c', cfg])).code).toBe(0);

    // the daemon writes the worker's pid here for the length of a session
    session = spawn('sleep', ['600'], { stdio: 'ignore' });
    writeFileSync(pidFile, `${session.pid}\n`);
    const r3 = await runner(['apply', '-c', cfg, '--plan', plan]);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain(`the daemon's worker session runs: ${pidFile} names pid ${session.pid}, alive`);
    expect(hashTree(base)).toBe(before);

    // the session ended (its pid file left behind by a crash): a dead pid holds nothing back
    const exited = new Promise((r) => session?.once('exit', r));
    session.kill('SIGTERM');
    await exited;
    const r4 = await runner(['apply', '-c', cfg, '--plan', plan]);
    expect(r4.code, r4.stderr).toBe(2);
    expect(listTree(base, 1)).toEqual(['young']);
  });
});
