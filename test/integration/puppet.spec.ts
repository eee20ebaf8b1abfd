import { planOf } from '../../src/core/types.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { puppet } from '../../src/checks/puppet/index.js';
import { PuppetOptions, type PuppetPlan } from '../../src/checks/puppet/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { puppet as fix } from '../../src/remediations/puppet.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

// Every puppet run here is a real `puppet apply` (about 2.5 s each), with all its dirs under the sandbox.
const host = new LocalHost();
const T = sandbox('runner-puppet-');
const target = join(T, 'target');
const motd = join(target, 'motd');

/** The 7 dir flags that keep puppet entirely under `dir` (Debian hard-codes publicdir and ssldir otherwise). */
function dirFlags(dir: string): string[] {
  return ['confdir', 'vardir', 'codedir', 'logdir', 'rundir', 'publicdir', 'ssldir'].flatMap((d) => [
    `--${d}`,
    join(dir, d),
  ]);
}

function manifest(name: string, text: string): string {
  const file = join(T, `${name}.pp`);
  writeFileSync(file, text);
  return file;
}

/** Options for puppet state under `T/<state>`, with the summary and lock given (no `puppet config print`). */
function options(state: string, extra: Record<string, unknown>): Record<string, unknown> {
  const dir = join(T, state);
  return {
    summary: join(dir, 'publicdir', 'last_run_summary.yaml'),
    lock: join(dir, 'vardir', 'state', 'agent_disabled.lock'),
    args: dirFlags(dir),
    ...extra,
  };
}

async function run(mode: Mode, raw: Record<string, unknown>, now?: () => Date): Promise<Result> {
  return runCheck(host, { check: puppet, remediation: fix, options: PuppetOptions.parse(raw) }, testContext(mode, now));
}

let site = '';
beforeAll(() => {
  mkdirSync(target);
  site = manifest('site', `file { '${motd}': ensure => file, content => "managed by puppet\\n", mode => '0644' }\n`);
});

describe('puppet against real puppet apply', () => {
  it('no run recorded is drift; apply runs puppet and converges; a second apply changes nothing', async () => {
    const opts = options('main', { manifest: site });
    const checked = await run('check', opts);
    expect(checked.status).toBe('drift');
    expect((planOf(checked) as PuppetPlan).reasons).toEqual([`no run recorded (${opts.summary} is missing)`]);
    expect((planOf(checked) as PuppetPlan).argv).toEqual([
      'puppet',
      'apply',
      '--detailed-exitcodes',
      '--color=false',
      ...dirFlags(join(T, 'main')),
      site,
    ]);

    const applied = await run('apply', opts);
    expect(applied.status).toBe('changed');
    expect(applied.summary).toBe("'puppet apply' ran and applied changes");
    expect(readFileSync(motd, 'utf8')).toBe('managed by puppet\n');
    const again = await run('apply', opts);
    expect(again.status).toBe('ok');
    expect(again.summary).toMatch(/^last run \d+s ago: \d+ resources, none failed or out of sync$/);
  });

  it('noop: a tampered managed file is drift naming the resource, and nothing managed changes; apply restores it', async () => {
    writeFileSync(motd, 'tampered\n');
    const before = hashTree(target);
    const checked = await run('check', options('main', { manifest: site, noop: true }));
    expect(checked.status).toBe('drift');
    expect(planOf(checked)).toMatchObject({
      reasons: ['1 resources out of sync (noop)'],
      pending: [`Main/File[${motd}]/content`],
    });
    expect(hashTree(target)).toBe(before);

    // the noop run's summary now says a change is pending: plain check mode sees it too, and apply fixes it
    const applied = await run('apply', options('main', { manifest: site }));
    expect(applied.status).toBe('changed');
    expect(readFileSync(motd, 'utf8')).toBe('managed by puppet\n');
  });

  it('an old summary is drift; a disabled agent is failed with its message and puppet does not run', async () => {
    const opts = options('main', { manifest: site });
    const later = await run('check', opts, () => new Date(Date.now() + 5 * 3600_000));
    expect((planOf(later) as PuppetPlan).reasons).toEqual([
      expect.stringMatching(/^last run 5h\d*m? ago \(max_age 4h\)$/),
    ]);

    mkdirSync(join(T, 'main', 'vardir', 'state'), { recursive: true });
    writeFileSync(opts.lock as string, '{"disabled_message":"kernel upgrade, ask bob"}');
    const summaryBefore = readFileSync(opts.summary as string, 'utf8');
    const disabled = await run('apply', opts, () => new Date(Date.now() + 5 * 3600_000));
    expect(disabled.status).toBe('failed');
    expect(disabled.summary).toContain(`puppet agent is disabled (${opts.lock}): kernel upgrade, ask bob`);
    expect(readFileSync(opts.summary as string, 'utf8')).toBe(summaryBefore);
    rmSync(opts.lock as string);
  });

  it("a failing manifest: apply fails with puppet's Error: lines", async () => {
    const broken = manifest(
      'broken',
      `file { '${join(T, 'no-such-dir', 'motd')}': ensure => file, content => "x\\n" }\n`,
    );
    const r = await run('apply', options('broken', { manifest: broken }));
    expect(r.status).toBe('failed');
    expect(r.summary).toMatch(/'puppet apply' exited 4: Error: .*no-such-dir/);
    expect(r.summary).not.toContain('Facter');
  });

  it('a --noop run that writes no fresh summary (a compile error) is failed, not judged by the stale one', async () => {
    const bad = manifest('syntax', 'file { "oops" ensure => }\n');
    const r = await run('check', options('main', { manifest: bad, noop: true }));
    expect(r.status).toBe('failed');
    expect(r.summary).toMatch(/'puppet apply --noop' wrote no fresh .*last_run_summary\.yaml: Error: .*[Ss]yntax/);
  });

  it('a run longer than timeout is stopped with everything it started (puppet runs an exec in a session of its own)', async () => {
    const marker = `${(Math.random() * 1000 + 500).toFixed(3)}`;
    const slow = manifest('slow', `exec { 'slow': command => '/bin/sleep ${marker}', timeout => 0 }\n`);
    const r = await run('apply', options('slow', { manifest: slow, timeout: '4s' }));
    expect(r.status).toBe('failed');
    expect(r.summary).toContain("'puppet apply' took longer than 4s: stopped with everything it started");
    expect(pgrep(`sleep ${marker}`)).toBe('');
  });

  it('without summary and lock configured, asks puppet where they are; no puppet at all is skipped', async () => {
    const found = await run('check', { args: dirFlags(join(T, 'main')), manifest: site });
    expect(found.status).toBe('ok');
    const none = await run('check', { command: join(T, 'no-puppet-here') });
    expect(none).toMatchObject({
      status: 'skipped',
      summary: `puppet is not installed here (no ${join(T, 'no-puppet-here')})`,
    });
  });
});

function pgrep(pattern: string): string {
  try {
    return execFileSync('pgrep', ['-f', pattern]).toString().trim();
  } catch {
    return '';
  }
}
