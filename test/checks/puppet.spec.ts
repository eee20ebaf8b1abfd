import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixArgv } from '../../src/checks/puppet/index.js';
import { chooseLayout, LAYOUTS, moversSet, type Layout } from '../../src/checks/puppet/layouts.js';
import {
  errorLines,
  judge,
  lockMessage,
  parseConfigPrint,
  parseSummary,
  pendingResources,
} from '../../src/checks/puppet/parse.js';
import { PuppetOptions } from '../../src/checks/puppet/schema.js';
import { puppetSummaryYaml } from '../../src/checks/puppet/summary-yaml.js';
import { parse as parseYaml } from 'yaml';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/puppet/${name}`, import.meta.url), 'utf8');
const H = 3600_000;

describe('checks/puppet parse', () => {
  it('a converged run an hour old is fine; five hours old is too old', () => {
    const s = parseSummary(fixture('summary-converged.yaml'), 'x');
    expect(s).toMatchObject({ total: 8, changed: 1, outOfSync: 1, failed: 0 });
    const ran = (s.lastRun as number) * 1000;
    expect(judge(s, ran + H, 4 * H)).toEqual([]);
    expect(judge(s, ran + 5 * H, 4 * H)).toEqual(['last run 5h ago (max_age 4h)']);
  });

  it('a noop run with pending changes, and a run with a failed resource, are drift', () => {
    const noop = parseSummary(fixture('summary-noop-pending.yaml'), 'x');
    expect(judge(noop, (noop.lastRun as number) * 1000, 4 * H)).toEqual(['1 resources out of sync (noop)']);
    const failed = parseSummary(fixture('summary-failed.yaml'), 'x');
    expect(judge(failed, (failed.lastRun as number) * 1000, 4 * H)).toEqual(['1 resources failed', '1 failure events']);
  });

  it('an empty catalog, a missing time and restart failures are drift; junk is an error naming the file', () => {
    const s = parseSummary('resources: {total: 0, failed_to_restart: 2}\n', 'x');
    expect(judge(s, 0, H)).toEqual([
      'the summary has no time.last_run',
      'no catalog applied (0 resources)',
      '2 resources failed to restart',
    ]);
    expect(() => parseSummary('just text', '/p/last_run_summary.yaml')).toThrow(
      '/p/last_run_summary.yaml is not a puppet run summary',
    );
    expect(() => parseSummary('a: [', '/p/s.yaml')).toThrow(/^\/p\/s\.yaml is not YAML/);
  });

  it('reads the resources a --noop run would change, and Error: lines without Facter noise or repeats', () => {
    expect(pendingResources(fixture('noop-stdout.txt'))).toEqual(['Main/File[/srv/demo/t/motd]/content']);
    const errors = errorLines(fixture('failed-output.txt'));
    expect(errors).toHaveLength(2);
    expect(errors[1]).toMatch(
      /^Error: \/Stage\[main\]\/Main\/File\[\/srv\/demo\/nodir\/motd\]\/ensure: change from 'absent' to 'file' failed/,
    );
  });

  it('reads puppet config print and the agent lock', () => {
    expect(
      parseConfigPrint('agent_disabled_lockfile = /v/state/agent_disabled.lock\nlastrunfile = /p/s.yaml\n'),
    ).toEqual(
      new Map([
        ['agent_disabled_lockfile', '/v/state/agent_disabled.lock'],
        ['lastrunfile', '/p/s.yaml'],
      ]),
    );
    expect(lockMessage('{"disabled_message":"kernel upgrade"}')).toBe('kernel upgrade');
    expect(lockMessage('{}')).toBe('{}');
    expect(lockMessage('')).toBe('no reason given');
  });

  it('fixes with puppet agent, or puppet apply when a manifest is given', () => {
    expect(fixArgv(PuppetOptions.parse({}))).toEqual([
      'puppet',
      'agent',
      '--onetime',
      '--no-daemonize',
      '--detailed-exitcodes',
      '--color=false',
    ]);
    expect(fixArgv(PuppetOptions.parse({ manifest: '/m.pp', args: ['--x'] }))).toEqual([
      'puppet',
      'apply',
      '--detailed-exitcodes',
      '--color=false',
      '--x',
      '/m.pp',
    ]);
  });
});

describe('checks/puppet layouts', () => {
  it("a summary at a package's path names its layout; elsewhere, the package installed; unset, the summary found", () => {
    const [aio, debian] = LAYOUTS as [Layout, Layout];
    const no = () => false;
    expect(chooseLayout(debian.summary, no, no)).toBe(debian);
    expect(debian.lock).toBe('/var/cache/puppet/state/agent_disabled.lock');
    expect(aio.lock).toBe('/opt/puppetlabs/puppet/cache/state/agent_disabled.lock');
    const only = (path: string) => (p: string) => p === path;
    expect(chooseLayout('/srv/p/last_run_summary.yaml', only(aio.vardir), no)).toBe(aio);
    expect(chooseLayout('/srv/p/last_run_summary.yaml', () => true, no)).toBeUndefined();
    expect(chooseLayout('/srv/p/last_run_summary.yaml', no, () => true)).toBeUndefined();
    expect(chooseLayout(undefined, () => true, only(debian.summary))).toBe(debian);
    expect(
      chooseLayout(
        undefined,
        () => true,
        () => true,
      ),
    ).toBeUndefined();
  });

  it('reads which settings a puppet.conf sets that move the summary or the lock, in any section', () => {
    const conf =
      '[main]\n# vardir = /commented\nserver = puppet.example\n[agent]\n  statedir=/srv/state\nlastrunfile = /x\n';
    expect(moversSet(conf)).toEqual(['statedir', 'lastrunfile']);
    expect(moversSet('[main]\nvardir_extra = 1\nlogdir = /l\n')).toEqual([]);
  });
});

describe('checks/puppet summary fast reader', () => {
  const fixtures = ['summary-converged.yaml', 'summary-failed.yaml', 'summary-noop-pending.yaml'];

  it('reads every summary puppet writes as the YAML parser does', () => {
    for (const name of fixtures) {
      const text = fixture(name);
      const fast = puppetSummaryYaml(text);
      expect(fast, name).toBeDefined();
      expect(JSON.parse(JSON.stringify(fast))).toEqual(parseYaml(text));
    }
  });

  it('reads a value as a number exactly when YAML does, and leaves any other shape to the YAML parser', () => {
    const values = ['1795847919', '-3', '007', '8.543e-05', '1.', '.5', '-.5', '1E3', '7.23.0', 'production', 'user'];
    const others = ['0x1F', '0o17', '+5', '.inf', '-.inf', '.nan', '1_000', 'null', 'true', '~', '"5"', "'5'", '5 # c'];
    for (const v of [...values, ...others]) {
      const text = `---\ntime:\n  last_run: ${v}\n`;
      const fast = puppetSummaryYaml(text);
      if (values.includes(v)) expect(fast?.time?.last_run, v).toEqual(parseYaml(text).time.last_run);
      else expect(fast, v).toBeUndefined();
      const full = parseYaml(text).time.last_run;
      expect(parseSummary(text, 'x').lastRun, v).toEqual(Number.isFinite(full) ? full : undefined);
    }
    for (const text of [
      'time:\n  last_run: 5\ntime:\n  last_run: 6\n',
      'time:\n  last_run: 5\n  last_run: 6\n',
      '# c\ntime:\n  last_run: 5\n',
      'time:\n    last_run: 5\n',
      'last_run: 5\n',
      'time: {last_run: 5}\n',
      'time:\r\n  last_run: 5\r\n',
      '---\ntime:\n  last_run: 5\n---\ntime:\n  last_run: 6\n',
      '',
    ])
      expect(puppetSummaryYaml(text), JSON.stringify(text)).toBeUndefined();
    // those go to the YAML parser, which decides as before: duplicate keys are not YAML
    expect(() => parseSummary('time:\n  last_run: 5\n  last_run: 6\n', '/p/s.yaml')).toThrow(
      /^\/p\/s\.yaml is not YAML/,
    );
    expect(parseSummary('# c\ntime:\n  last_run: 5\n', 'x').lastRun).toBe(5);
  });

  it('takes a section or key named __proto__ as data', () => {
    const fast = puppetSummaryYaml('__proto__:\n  polluted: 1\ntime:\n  __proto__: 2\n  last_run: 5\n');
    expect(Object.keys(fast ?? {})).toEqual(['__proto__', 'time']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(fast?.time?.last_run).toBe(5);
  });
});
