import { planOf } from '../../src/core/types.js';
import { lstatSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { clobber } from '../../src/checks/clobber/index.js';
import { parseFeed, parseMarker, requestsFor } from '../../src/checks/clobber/parse.js';
import { ClobberOptions, type ClobberPlan } from '../../src/checks/clobber/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import { LocalHost } from '../../src/host/local.js';
import { clobber as clobberFix } from '../../src/remediations/clobber.js';
import { testContext } from '../helpers/context.js';
import { httpServer } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { sandbox } from '../helpers/tmp.js';
import { hashTree } from '../helpers/tree.js';

const root = sandbox();
const host = new LocalHost('test');
const feeds = new Map<string, string>();
let url = '';

beforeAll(async () => {
  url = await httpServer((req, res) => {
    if (req.url === '/hang') return; // accepts and never answers
    if (req.url === '/500') return void res.writeHead(500).end('boom');
    const body = feeds.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
});

/** A build root with build dirs holding a marker (or none), a skip-listed file and some build output. */
function buildRoot(name: string, dirs: Record<string, number | null>): string {
  const dir = join(root, name);
  for (const [builddir, marker] of Object.entries(dirs)) {
    const d = join(dir, builddir);
    mkdirSync(join(d, 'build', 'obj'), { recursive: true });
    mkdirSync(join(d, 'scripts'), { recursive: true });
    writeFileSync(join(d, 'build', 'obj', 'a.o'), 'obj');
    writeFileSync(join(d, 'buildprops.json'), '{}');
    writeFileSync(join(d, 'log.txt'), 'log');
    if (marker !== null) writeFileSync(join(d, 'last-clobber'), `${marker}\n`);
  }
  return dir;
}

function feed(rows: object[]): string {
  return JSON.stringify({ result: rows });
}

function entry(raw: Record<string, unknown>) {
  return { check: clobber, remediation: clobberFix, options: ClobberOptions.parse({ host: 'bld-01', ...raw }) };
}

describe('checks/clobber', () => {
  it('clobbers a dir with a newer request once, keeping skip entries, writing the marker; the second apply changes nothing', async () => {
    const dir = buildRoot('basic', { 'm-central': 100, try: 500 });
    const feedFile = join(root, 'basic.json');
    writeFileSync(
      feedFile,
      feed([
        { builddir: 'm-central', lastclobber: 200, slave: null, who: 'a' },
        { builddir: 'm-central', lastclobber: 300, slave: 'bld-01', who: 'b' },
        { builddir: 'try', lastclobber: 400, slave: null },
        { builddir: 'absent', lastclobber: 900, slave: null },
      ]),
    );
    const checked = await runCheck(host, entry({ dir, feed: feedFile }), testContext('check'));
    expect(checked.status).toBe('drift');
    const st = lstatSync(join(dir, 'm-central'));
    expect((planOf(checked) as ClobberPlan).actions).toEqual([
      {
        builddir: 'm-central',
        path: join(dir, 'm-central'),
        kind: 'clobber',
        requestedAt: 300,
        who: 'b',
        markerBefore: 100,
        delete: ['build', 'log.txt'],
        pin: { path: join(dir, 'm-central'), dev: st.dev, ino: st.ino },
        entries: (['build', 'log.txt'] as const).map((name) => ({
          name,
          dev: st.dev,
          ino: lstatSync(join(dir, 'm-central', name)).ino,
          uid: 0,
          type: name === 'build' ? 'dir' : 'file',
        })),
      },
    ]);
    const applied = await runCheck(host, entry({ dir, feed: feedFile }), testContext('apply'));
    expect(applied.status).toBe('changed');
    expect(readdirSync(join(dir, 'm-central')).sort()).toEqual(['buildprops.json', 'last-clobber', 'scripts']);
    expect(readFileSync(join(dir, 'm-central', 'last-clobber'), 'utf8')).toBe('300\n');
    expect(readdirSync(join(dir, 'try')).sort()).toEqual([
      'build',
      'buildprops.json',
      'last-clobber',
      'log.txt',
      'scripts',
    ]);
    expect((await runCheck(host, entry({ dir, feed: feedFile }), testContext('apply'))).status).toBe('ok');
  });

  it('records the first marker of a dir without one and deletes nothing; a junk marker does not hide a request', async () => {
    const dir = buildRoot('first', { fresh: null, junk: null });
    writeFileSync(join(dir, 'junk', 'last-clobber'), 'not a number\n');
    const feedFile = join(root, 'first.json');
    writeFileSync(
      feedFile,
      feed([
        { builddir: 'fresh', lastclobber: 1234, slave: null },
        { builddir: 'junk', lastclobber: 99, slave: null },
      ]),
    );
    const r = await runCheck(host, entry({ dir, feed: feedFile }), testContext('apply'));
    expect(r.status).toBe('changed');
    expect(r.warnings?.join('\n')).toContain(`${join(dir, 'junk', 'last-clobber')} does not hold a time: ignored`);
    expect(readFileSync(join(dir, 'fresh', 'last-clobber'), 'utf8')).toBe('1234\n');
    expect(readFileSync(join(dir, 'junk', 'last-clobber'), 'utf8')).toBe('99\n');
    expect(existsSync(join(dir, 'fresh', 'build', 'obj', 'a.o'))).toBe(true);
    expect(existsSync(join(dir, 'junk', 'log.txt'))).toBe(false);
  });

  it("never acts on hostile builddir names, other hosts' rows or symlinked build dirs", async () => {
    const dir = buildRoot('hostile', { safe: 1 });
    const victim = buildRoot('hostile-victim', { precious: 1 });
    symlinkSync(join(victim, 'precious'), join(dir, 'linked'));
    const before = hashTree(victim);
    const feedFile = join(root, 'hostile.json');
    writeFileSync(
      feedFile,
      feed([
        { builddir: '../hostile-victim/precious', lastclobber: 9, slave: null },
        { builddir: '/etc', lastclobber: 9, slave: null },
        { builddir: '..', lastclobber: 9, slave: null },
        { builddir: 'a\u0000b', lastclobber: 9, slave: null },
        { builddir: 'linked', lastclobber: 9, slave: null },
        { builddir: 'safe', lastclobber: 9, slave: 'bld-02' },
      ]),
    );
    const r = await runCheck(host, entry({ dir, feed: feedFile }), testContext('apply'));
    expect(r.status).toBe('ok');
    expect(r.warnings).toHaveLength(4);
    expect(r.warnings?.join('\n')).toContain('"/etc" is an absolute path: ignored');
    expect(hashTree(victim)).toBe(before);
    expect(existsSync(join(dir, 'safe', 'log.txt'))).toBe(true);
  });

  it('reads the feed over HTTP, and check mode changes nothing', async () => {
    const dir = buildRoot('http', { b1: 10, b2: 10 });
    feeds.set('/lastclobber/all', feed([{ builddir: 'b1', lastclobber: 20, slave: null }]));
    const before = hashTree(dir);
    const r = await runCheck(host, entry({ dir, feed: `${url}/lastclobber/all` }), testContext('check'));
    expect(r.status).toBe('drift');
    expect(r.summary).toBe('clobber 1 build dir: b1 (2 entries)');
    expect(hashTree(dir)).toBe(before);
  });

  it.each([
    ['/500', 'HTTP 500'],
    ['/hang', 'no answer within 1s'],
    ['/malformed', 'is not JSON'],
    ['/wrong-shape', 'is malformed at result.0.lastclobber'],
    ['/missing', 'HTTP 404'],
  ])('fails without deleting anything when the feed at %s is bad', async (path, says) => {
    feeds.set('/malformed', '{"result": [');
    feeds.set('/wrong-shape', feed([{ builddir: 'b1', lastclobber: 'yesterday' }]));
    const dir = buildRoot(`bad${path.replace('/', '-')}`, { b1: 10 });
    const before = hashTree(dir);
    const r = await runCheck(host, entry({ dir, feed: `${url}${path}`, timeout: '1s' }), testContext('apply'));
    expect(r.status).toBe('failed');
    expect(r.summary).toContain(says);
    expect(hashTree(dir)).toBe(before);
  });

  it('fails naming a feed file that does not exist or a server that refuses', async () => {
    const dir = buildRoot('nofeed', { b1: 10 });
    const missing = await runCheck(host, entry({ dir, feed: join(root, 'nope.json') }), testContext('check'));
    expect(missing.summary).toContain(`clobber feed ${join(root, 'nope.json')} does not exist`);
    const refused = await runCheck(
      host,
      entry({ dir, feed: `http://127.0.0.1:${await freePort()}/all` }),
      testContext('check'),
    );
    expect(refused).toMatchObject({ status: 'failed', summary: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('checks/clobber parsing', () => {
  it('keeps the newest applicable row per builddir', () => {
    const parsed = parseFeed(
      feed([
        { builddir: 'a', lastclobber: 5, slave: null, extra: 'ignored' },
        { builddir: 'a', lastclobber: 7, slave: 'me' },
        { builddir: 'a', lastclobber: 9, slave: 'other' },
        { builddir: 'b', lastclobber: 1 },
      ]),
      'feed',
    );
    expect(requestsFor(parsed, 'me').requests).toEqual([
      { builddir: 'a', lastclobber: 7 },
      { builddir: 'b', lastclobber: 1 },
    ]);
  });

  it.each([
    ['123\n', 123],
    ['  42 ', 42],
    ['', null],
    ['12abc', null],
    [null, null],
    ['-5', null],
  ] as const)('reads the marker %j as %j', (text, want) => expect(parseMarker(text)).toBe(want));
});
