import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { image } from '../../src/checks/image/index.js';
import { ImageOptions } from '../../src/checks/image/schema.js';
import { puppet } from '../../src/checks/puppet/index.js';
import { PuppetOptions, type PuppetPlan } from '../../src/checks/puppet/schema.js';
import { tools } from '../../src/checks/tools/index.js';
import { ToolsOptions } from '../../src/checks/tools/schema.js';
import { applySaved, differences, fingerprintOf, probeAll, savedPlans } from '../../src/core/exact-plan.js';
import { diffFingerprint } from '../../src/core/fingerprint.js';
import type { PlanFile } from '../../src/core/plan-file.js';
import { runCheck, type CheckEntry } from '../../src/core/run-check.js';
import { planOf, type Finding } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { puppet as fixPuppet } from '../../src/remediations/puppet.js';
import { tools as fixTools } from '../../src/remediations/tools/index.js';
import { testContext } from '../helpers/context.js';
import { sandbox } from '../helpers/tmp.js';
import { commit, headOf, makeRepo, sh } from '../helpers/vcs.js';

// tools, puppet and image have fingerprints of their own: what their plans depend on, not every word of them
// (a reason quoting an age would make every plan stale). Each: one unchanged host that applies, changes refused.
const host = new LocalHost();
const T = sandbox('runner-plan-fp-');

function planFile(entry: CheckEntry, made: Awaited<ReturnType<typeof runCheck>>): PlanFile {
  return {
    version: 1,
    runner: 'x',
    host: { machineId: 'x', hostname: 'x' },
    config: '',
    configHash: '',
    createdAt: '',
    probed: [entry.check.id],
    checks: savedPlans([entry], [made]),
  };
}

describe.each(['hg', 'git'] as const)('exact plans of tools (%s)', (vcs) => {
  function setup(name: string) {
    const src = join(T, `${vcs}-${name}-src`);
    const path = join(T, `${vcs}-${name}-co`);
    makeRepo(src, vcs);
    sh('/', vcs === 'hg' ? `hg clone -q "${src}" "${path}"` : `git clone -q "${src}" "${path}"`);
    const wanted = commit(src, vcs, 'v3');
    const entry: CheckEntry = {
      check: tools,
      remediation: fixTools,
      options: ToolsOptions.parse({ checkouts: [{ path, vcs, repo: src }] }),
    };
    return { src, path, wanted, entry };
  }

  it('unchanged: the saved plan applies and the checkout reaches the planned revision', async () => {
    const { path, wanted, entry } = setup('same');
    const made = await runCheck(host, entry, testContext('check'));
    expect(made.status).toBe('drift');
    const saved = planFile(entry, made);
    expect(saved.checks[0]?.fingerprint[path]).toMatchObject({ action: 'update', wanted, pull: true });
    const ctx = testContext('apply');
    const probed = await probeAll(host, [entry], ctx);
    expect(differences(saved, probed)).toEqual([]);
    const [r] = await applySaved(host, probed, saved, ctx);
    expect(r?.status, r?.summary).toBe('changed');
    expect(headOf(path, vcs)).toBe(wanted);
  });

  it('changed: the remote moved on, or the checkout moved, since the plan: refused, the checkout untouched', async () => {
    const remote = setup('remote');
    const saved1 = planFile(remote.entry, await runCheck(host, remote.entry, testContext('check')));
    const newer = commit(remote.src, vcs, 'v4');
    // (hg status may rewrite .hg/dirstate: the working copy and its parent are what must stay)
    const before1 = [headOf(remote.path, vcs), readFileSync(join(remote.path, 'VERSION'), 'utf8')];
    const changed1 = differences(saved1, await probeAll(host, [remote.entry], testContext('apply')));
    expect(changed1).toEqual([`tools: ${remote.path}: wanted "${remote.wanted}" → "${newer}"`]);
    expect([headOf(remote.path, vcs), readFileSync(join(remote.path, 'VERSION'), 'utf8')]).toEqual(before1);

    const moved = setup('moved');
    const parent = headOf(moved.path, vcs);
    const saved2 = planFile(moved.entry, await runCheck(host, moved.entry, testContext('check')));
    sh(moved.path, vcs === 'hg' ? 'hg update -q -r 0' : 'git checkout -q HEAD~1');
    const changed2 = differences(saved2, await probeAll(host, [moved.entry], testContext('apply')));
    expect(changed2).toEqual([`tools: ${moved.path}: parent "${parent}" → "${headOf(moved.path, vcs)}"`]);
  });
});

describe('exact plans of puppet (real puppet apply)', () => {
  const dir = join(T, 'puppet');
  const motd = join(T, 'motd');
  const site = join(T, 'site.pp');
  const flags = ['confdir', 'vardir', 'codedir', 'logdir', 'rundir', 'publicdir', 'ssldir'].flatMap((d) => [
    `--${d}`,
    join(dir, d),
  ]);
  const options = PuppetOptions.parse({
    summary: join(dir, 'publicdir', 'last_run_summary.yaml'),
    lock: join(dir, 'vardir', 'state', 'agent_disabled.lock'),
    args: flags,
    manifest: site,
  });
  const entry: CheckEntry = { check: puppet, remediation: fixPuppet, options };
  // past max_age (4h): the last run is stale, and each later clock quotes another age in the plan's reasons
  const later = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);

  it('unchanged but older: the reasons quote another age, the plan still holds and runs puppet', async () => {
    writeFileSync(site, `file { '${motd}': ensure => file, content => "v1\\n" }\n`);
    expect((await runCheck(host, entry, testContext('apply'))).status).toBe('changed'); // a first real run
    const made = await runCheck(host, entry, testContext('check', later(5)));
    expect(made.status).toBe('drift');
    const saved = planFile(entry, made);
    expect((planOf(made) as PuppetPlan).summaryMtime).toBeTypeOf('number');
    writeFileSync(site, `file { '${motd}': ensure => file, content => "v2\\n" }\n`);
    const ctx = testContext('apply', later(6));
    const probed = await probeAll(host, [entry], ctx);
    expect((probed[0]?.finding as Finding<PuppetPlan> & { plan: PuppetPlan }).plan.reasons).not.toEqual(
      (planOf(made) as PuppetPlan).reasons,
    );
    expect(differences(saved, probed)).toEqual([]);
    const [r] = await applySaved(host, probed, saved, testContext('apply'));
    expect(r?.status, r?.summary).toBe('changed');
    expect(readFileSync(motd, 'utf8')).toBe('v2\n');
  }, 60_000);

  it('changed: puppet ran since the plan (a new summary), or the agent was disabled: refused', async () => {
    const made = await runCheck(host, entry, testContext('check', later(5)));
    const saved = planFile(entry, made);
    const plan = planOf(made) as PuppetPlan;
    await new Promise((r) => setTimeout(r, 20)); // a distinct mtime for the summary the next run writes
    const ran = await execa(plan.argv[0] as string, plan.argv.slice(1), { reject: false });
    expect([0, 2], ran.stderr).toContain(ran.exitCode);
    const changed = differences(saved, await probeAll(host, [entry], testContext('apply', later(5))));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(new RegExp(`^puppet: ${options.summary}: summaryMtime ${plan.summaryMtime} → \\d+`));

    const fresh = planFile(entry, await runCheck(host, entry, testContext('check', later(5))));
    mkdirSync(join(dir, 'vardir', 'state'), { recursive: true });
    writeFileSync(options.lock as string, '{"disabled_message":"maintenance"}');
    const locked = differences(fresh, await probeAll(host, [entry], testContext('apply', later(5))));
    expect(locked).toEqual([
      `puppet: planned, and its probe now fails: puppet agent is disabled (${options.lock}): maintenance`,
    ]);
  }, 60_000);
});

describe('exact plans of image', () => {
  const current = join(T, 'image-current');
  const wanted = join(T, 'image-wanted');
  const options = ImageOptions.parse({ current: { file: current }, wanted: { file: wanted } });

  it('holds while both ids stay; a new wanted image, or a re-imaged machine, voids it', async () => {
    writeFileSync(current, 'ami-0123\n');
    writeFileSync(wanted, 'ami-0456\n');
    const probe = async () => {
      const f = await image.probe(host, options, testContext('check'));
      if (f.state !== 'drift') throw new Error(`image: expected drift, got ${f.state}: ${f.summary}`);
      return fingerprintOf(image, f.plan);
    };
    const saved = await probe();
    expect(diffFingerprint(saved, await probe())).toEqual([]);
    writeFileSync(wanted, 'ami-0789\n');
    expect(diffFingerprint(saved, await probe())).toEqual(['wanted: id "ami-0456" → "ami-0789"']);
    writeFileSync(wanted, 'ami-0456\n');
    writeFileSync(current, 'ami-0999\n');
    expect(diffFingerprint(saved, await probe())).toEqual(['current: id "ami-0123" → "ami-0999"']);
  });
});
