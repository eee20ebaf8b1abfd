import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostReport } from '../../src/core/types.js';
import { diffAudits } from '../../src/report/diff.js';
import { makeDocument, type ReportDocument } from '../../src/report/document.js';
import { renderHuman } from '../../src/report/human.js';
import { parsePrevious } from '../../src/report/previous.js';
import { runner } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { sandbox } from '../helpers/tmp.js';

const dir = sandbox('runner-diff-');
const ok = (host: string): HostReport => ({
  host,
  results: [{ check: 'purge', status: 'ok', summary: 'enough free space', durationMs: 0 }],
});
const drift = (host: string): HostReport => ({
  host,
  results: [{ check: 'purge', status: 'drift', summary: 'delete 2 dirs', plan: {}, durationMs: 0 }],
});
const down = (host: string): HostReport => ({
  host,
  results: [],
  failure: { stage: 'connect', reason: 'refused', detail: 'connection refused' },
});
const audit = (hosts: HostReport[]) => makeDocument('audit', new Date('2024-05-01T10:00:00Z'), hosts);

describe('report/diff', () => {
  const before = audit([ok('b1'), ok('b2'), ok('b3'), drift('b4'), drift('b5'), ok('b6'), ok('old')]);
  const now = audit([drift('b1'), drift('b2'), ok('b3'), ok('b4'), drift('b5'), down('b6'), ok('b7')]);
  const diff = diffAudits(before, now, 'prev.json');

  it('tells hosts that drifted, recovered, went unreachable, and the new and gone ones', () => {
    expect(diff.changed).toEqual([
      { host: 'b1', kind: 'drifted', from: 'ok', to: 'drift' },
      { host: 'b2', kind: 'drifted', from: 'ok', to: 'drift' },
      { host: 'b4', kind: 'recovered', from: 'drift', to: 'ok' },
      { host: 'b6', kind: 'unreachable', from: 'ok', to: 'unreachable' },
    ]);
    expect(diff.new).toEqual(['b7']);
    expect(diff.gone).toEqual(['old']);
  });

  it('says so in the human summary, worst change first, hosts in range notation', () => {
    const text = renderHuman({ ...now, diff }, { colour: false, plans: false });
    expect(text).toContain(
      [
        'since the audit of 2024-05-01T10:00:00.000Z (prev.json, 7 hosts):',
        '  went unreachable: b6 (ok → unreachable)',
        '  drifted: b[1:2] [2] (ok → drift)',
        '  recovered: b4 (drift → ok)',
        '  new: b7',
        '  gone: old',
      ].join('\n'),
    );
    expect(renderHuman({ ...now, diff: diffAudits(now, now, 'p') }, { colour: false, plans: false })).toContain(
      '  no host changed',
    );
  });
});

describe('report/previous: --diff reads only a runner audit JSON document', () => {
  const good = JSON.stringify(audit([ok('a')]));
  it.each([
    ['{"version": 2', 'not JSON ('],
    ['[1]', 'not a JSON object'],
    [JSON.stringify({ ...JSON.parse(good), version: 1 }), 'version 1; this runner reads version 2'],
    [JSON.stringify({ ...JSON.parse(good), command: 'check' }), 'command "check": a runner check report'],
    [
      JSON.stringify({ ...JSON.parse(good), hosts: [{ host: 'a', results: [{ check: 'purge', status: 'fine' }] }] }),
      'hosts[0].results[0].status "fine" is not a status',
    ],
    [JSON.stringify({ ...JSON.parse(good), hosts: [{ host: 7, results: [] }] }), 'hosts[0].host is not a string'],
  ])('%s', (text, why) => {
    expect(() => parsePrevious(text, 'prev.json')).toThrow(
      `--diff prev.json: not a runner audit JSON document: ${why}`,
    );
  });

  it('takes a document this runner wrote', () => {
    expect(parsePrevious(good, 'p').hosts[0]?.host).toBe('a');
  });
});

describe('runner audit --diff (the built CLI, a host that refuses connections)', () => {
  const inventory = join(dir, 'inv.ini');
  writeFileSync(
    inventory,
    '[pool]\nb6 ansible_host=127.0.0.1 ansible_port=9\nb9 ansible_host=127.0.0.1 ansible_port=9\n',
  );
  const home = join(dir, 'home');
  mkdirSync(home);
  const env = { HOME: home, SSH_AUTH_SOCK: '' };
  const args = ['audit', '-i', inventory, '--private-key', join(dir, 'none'), '--connect-timeout', '3'];

  it('refuses a file that is not an audit document before connecting, naming it and what is wrong', async () => {
    // a listener that counts who connects: the refusal must come before any host is contacted
    let connections = 0;
    const server = createServer((s) => (connections++, s.destroy()));
    const port = await freePort('127.0.0.1');
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
    const listening = join(dir, 'listening.ini');
    writeFileSync(listening, `[pool]\nb1 ansible_host=127.0.0.1 ansible_port=${port}\n`);
    const check = join(dir, 'check.json');
    writeFileSync(check, JSON.stringify(makeDocument('check', new Date(), [ok('x')])));
    const r = await runner(['audit', '-i', listening, ...args.slice(3), '--diff', check], { env }).finally(() =>
      server.close(),
    );
    expect(connections).toBe(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--diff ${check}: not a runner audit JSON document: command "check"`);
    expect(r.stdout).toBe('');
    const missing = await runner([...args, '--diff', dir], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read --diff ${dir}: it is a directory`);
  });

  it('reports what changed since the previous document, in human and JSON output', async () => {
    const prev = join(dir, 'prev.json');
    writeFileSync(prev, JSON.stringify(audit([ok('b6'), ok('gone-1')]), null, 2));
    const human = await runner([...args, '--diff', prev], { env });
    expect(human.code).toBe(8);
    expect(human.stdout).toContain(`since the audit of 2024-05-01T10:00:00.000Z (${prev}, 2 hosts):`);
    expect(human.stdout).toContain('  went unreachable: b6 (ok → unreachable)\n  new: b9\n  gone: gone-1');
    const json = await runner([...args, '--diff', prev, '--format', 'json'], { env });
    const doc = JSON.parse(json.stdout) as ReportDocument;
    expect(doc.diff).toEqual({
      previous: { file: prev, startedAt: '2024-05-01T10:00:00.000Z', hosts: 2 },
      changed: [{ host: 'b6', kind: 'unreachable', from: 'ok', to: 'unreachable' }],
      new: ['b9'],
      gone: ['gone-1'],
    });
  });

  it('--format html -o writes the one-file page', async () => {
    const out = join(dir, 'audit.html');
    const r = await runner([...args, '--format', 'html', '-o', out], { env });
    expect(r.code).toBe(8);
    expect(r.stdout).toBe('');
    const page = readFileSync(out, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).toContain('<span class="s-unreachable" data-verdict="unreachable">2 unreachable</span>');
  });
});
