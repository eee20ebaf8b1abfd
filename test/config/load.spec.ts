import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { configJsonSchema, configPath, parseConfig } from '../../src/config/load.js';

const BAD = fileURLToPath(new URL('../../fixtures/config/bad/', import.meta.url));

const DIR = 'expected a dir of its own like /builds/worker or /home/cltbld/builds, got';
const PATH = "expected an absolute path like /builds/worker (no '.', '..' or empty components, no trailing '/'), got";
const KEEP = 'expected NAME-GLOB or NAME-GLOB:DURATION (s, m, h, d, w), like info or rel-*:10d, got';

/** Every bad config of the corpus, with where the error must point and what it must say. */
const EXPECTED: Record<string, [where: string, says: string]> = {
  'bad-duration.yaml': ['4:16', 'checks[0].purge.max_age: expected a duration like 14d or off, got "14 days"'],
  'bad-size.yaml': ['4:13', 'checks[0].purge.free: expected a size like 20GB, got "20 gigs"'],
  'bad-timeout.yaml': ['2:65', 'checks[0].clobber.timeout: expected a duration like 30m, got "soon"'],
  'checks-not-a-list.yaml': ['1:9', 'checks: expected array, received object'],
  'dirs-not-a-list.yaml': ['3:13', 'checks[0].purge.dirs: expected array, received string'],
  'duplicate-check.yaml': ['3:5', "checks[1]: 'purge' is listed twice"],
  'duplicate-key.yaml': ['3:1', 'Map keys must be unique'],
  'empty.yaml': ['1:1', 'checks: required (array)'],
  'feed-not-url.yaml': ['4:13', 'checks[0].clobber.feed: expected an http(s) URL or an absolute file path'],
  'keep-with-slash.yaml': [
    '4:20',
    `checks[0].purge.keep[1]: expected NAME-GLOB or NAME-GLOB:DURATION (s, m, h, d, w), like info or rel-*:10d, got "rel/*:10d": the glob contains '/'`,
  ],
  'purge-null.yaml': ['2:12', 'checks[0].purge.dirs: required (array)'],
  'relative-dir.yaml': ['3:14', 'checks[0].purge.dirs[0]: expected an absolute path like /builds/worker'],
  'size-without-unit.yaml': ['2:45', 'checks[0].purge.free: expected a size like 20GB, got 10'],
  'skip-not-a-list.yaml': ['2:41', 'checks[0].clobber.skip: expected array, received string'],
  'top-is-a-list.yaml': ['1:1', '(top level): expected object, received array'],
  'two-ids-one-entry.yaml': ['2:5', 'checks[0]: expected one check id mapped to its options'],
  'unknown-check.yaml': ['2:5', "checks[0]: unknown check 'purj' (known: "],
  'unknown-option.yaml': ['4:14', 'checks[0].purge.frees: unknown key'],
  'unknown-top-key.yaml': ['2:3', 'chekcs: unknown key'],
  'yaml-syntax.yaml': ['3:3', 'Flow map in block collection must be sufficiently indented'],
  'tools-bad-vcs.yaml': ['4:34', 'checks[0].tools.checkouts[0].vcs: Invalid option: expected one of "hg"|"git"'],
  'tools-revision-and-tag.yaml': ['4:11', 'checks[0].tools.checkouts[0]: give at most one of branch, revision and tag'],
  'tools-bad-semver.yaml': ['4:61', 'checks[0].tools.checkouts[0].tag: expected a semver range'],
  'puppet-bad-age.yaml': ['2:24', 'checks[0].puppet.max_age: expected a duration like 30m, got "forever"'],
  'image-bad-url.yaml': ['2:63', 'checks[0].image.wanted.url: expected an http(s) URL'],
  'processes-bad-grace.yaml': ['2:42', 'checks[0].processes.grace: expected a duration like 30m, got "5 seconds"'],
  'processes-hostile-user.yaml': ['2:26', 'checks[0].processes.users[0]: expected a user name like cltbld'],
  'temp-keep-not-list.yaml': ['2:72', 'checks[0].temp.keep: expected array, received string'],
  'temp-relative-glob.yaml': [
    '2:21',
    `checks[0].temp.paths[0]: expected an absolute path glob like /tmp/* (no '.', '..' or empty components, no trailing '/'), got "tmp/*"`,
  ],
  'hostile-size.yaml': ['2:49', 'checks[0].purge.free: expected a size like 20GB, got "20GB; reboot"'],
  'tab-indent.yaml': ['3:1', 'Tabs are not allowed as indentation'],
  // config refuses what cannot be safe: system dirs, uncanonical paths, nested base dirs, protections it cannot read
  'purge-root-dir.yaml': ['3:14', `checks[0].purge.dirs[0]: ${DIR} "/": it is the root of the machine`],
  'purge-system-dir.yaml': ['3:30', `checks[0].purge.dirs[1]: ${DIR} "/home": it is a system dir`],
  'purge-system-tree.yaml': [
    '3:14',
    `checks[0].purge.dirs[0]: ${DIR} "/usr/local/builds": it is in the system tree /usr`,
  ],
  'purge-dotdot.yaml': ['3:14', `checks[0].purge.dirs[0]: ${PATH} "/builds/worker/../../etc": it has a '..' component`],
  'purge-nested-dirs.yaml': [
    '5:11',
    'checks[0].purge.dirs[1]: "/builds/worker/try" lies inside dirs[0] "/builds/worker": list each base dir once, none inside another',
  ],
  'purge-duplicate-dirs.yaml': ['3:45', 'checks[0].purge.dirs[2]: "/builds/worker" is listed twice (also dirs[0])'],
  'purge-keep-bad-age.yaml': [
    '4:20',
    `checks[0].purge.keep[1]: ${KEEP} "rel-*:10days": "10days" after the ':' is not a duration`,
  ],
  'purge-keep-unclosed-class.yaml': [
    '4:14',
    `checks[0].purge.keep[0]: ${KEEP} "rel-[0-9*": the glob has a '[' with no closing ']'`,
  ],
  'purge-active-empty-component.yaml': [
    '4:20',
    `checks[0].purge.active_file: ${PATH} "/builds//worker/.active": it has an empty component (//)`,
  ],
  'clobber-system-dir.yaml': ['2:21', `checks[0].clobber.dir: ${DIR} "/var": it is a system dir`],
  'clobber-trailing-slash.yaml': ['2:21', `checks[0].clobber.dir: ${PATH} "/builds/worker/": it ends with '/'`],
  'clobber-skip-path.yaml': [
    '5:23',
    `checks[0].clobber.skip[1]: expected a glob on a name like scripts or *.log, got "tools/bin": the glob contains '/'`,
  ],
  'tools-checkout-in-etc.yaml': [
    '4:19',
    `checks[0].tools.checkouts[0].path: ${DIR} "/etc/tools": it is in the system tree /etc`,
  ],
  'tools-share-root.yaml': ['3:14', `checks[0].tools.share: ${DIR} "/": it is the root of the machine`],
  'tools-nested-checkouts.yaml': [
    '5:19',
    'checks[0].tools.checkouts[1].path: "/builds/tools/mozharness" lies inside checkouts[0] "/builds/tools"',
  ],
  'lifecycle-basedir-tmp.yaml': ['4:22', `lifecycle.worker.basedir: ${DIR} "/tmp": it is a system dir`],
  'lifecycle-state-dir-dotdot.yaml': [
    '5:14',
    `lifecycle.state_dir: ${PATH} "/var/lib/runner/../../../etc": it has a '..' component`,
  ],
  'lifecycle-state-in-builds.yaml': [
    '5:14',
    `lifecycle.state_dir: "/builds/worker/.runner" lies inside checks[0].purge.dirs[0] "/builds/worker": runner's own files must stay out of the build trees`,
  ],
  'temp-keep-with-age.yaml': [
    '2:56',
    `checks[0].temp.keep[0]: expected an absolute path glob like /tmp/* (no '.', '..' or empty components, no trailing '/'), got "/tmp/pulse-*:1d": ":1d" looks like an age, and temp keeps have none`,
  ],
};

function problemsOf(file: string): string[] {
  try {
    parseConfig(readFileSync(join(BAD, file), 'utf8'), `bad/${file}`);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error(`${file} was accepted`);
}

describe('config/load', () => {
  it('has an expectation for every file of the bad corpus', () => {
    expect(readdirSync(BAD).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('rejects %s naming the file, the line and the field', (file, [where, says]) => {
    const problems = problemsOf(file);
    expect(
      problems.some((p) => p.startsWith(`bad/${file}:${where}: `) && p.includes(says)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('parses a good config into typed options, in order', () => {
    const text = [
      'checks:',
      '  - clobber: { dir: /builds/worker, feed: "https://c.example/lastclobber/all" }',
      '  - purge: { dirs: [/builds/worker], free: 20GB, keep: [info, "rel-*:10d"], max_age: off }',
    ].join('\n');
    const config = parseConfig(text, 'good.yaml');
    expect(config.checks.map((c) => c.id)).toEqual(['clobber', 'purge']);
    expect(config.checks[0]?.options).toEqual({
      dir: '/builds/worker',
      feed: 'https://c.example/lastclobber/all',
      skip: ['scripts', 'buildprops.json'],
      timeout: 30_000,
      missing_ok: false,
    });
    expect(config.checks[1]?.options).toEqual({
      dirs: ['/builds/worker'],
      free: 20e9,
      max_age: 'off',
      min_age: 3_600_000,
      active: [],
      keep: [{ glob: 'info' }, { glob: 'rel-*', maxAgeMs: 10 * 86_400_000 }],
      missing_ok: false,
    });
  });

  it('finds the config from --config, then $RUNNER_CONFIG, then /etc', () => {
    expect(configPath('/a.yaml', { RUNNER_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(configPath(undefined, { RUNNER_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(configPath(undefined, {})).toBe('/etc/runner/runner.yaml');
  });

  it('exports a JSON Schema listing every check and its options', () => {
    const schema = JSON.stringify(configJsonSchema());
    for (const word of ['"purge"', '"clobber"', '"max_age"', '"feed"', 'additionalProperties'])
      expect(schema).toContain(word);
  });
});
