import { describe, expect, it } from 'vitest';
import { nameGlobProblem } from '../../src/core/glob-rules.js';
import { parseConfig } from '../../src/config/load.js';
import { AbsolutePath, BaseDir, isWithin, overlaps, pathProblem, systemDirProblem } from '../../src/core/path-rules.js';
import { ConfigError } from '../../src/core/errors.js';

function problems(text: string): string[] {
  try {
    parseConfig(text, 'runner.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('config/paths: one rule for every configured path', () => {
  it.each([
    ['builds', undefined],
    ['/builds/../etc', "'..'"],
    ['/builds/./worker', "'.'"],
    ['/builds//worker', 'empty component (//)'],
    ['/builds/worker/', "ends with '/'"],
    ['/builds/\0', 'NUL'],
  ])('refuses %j as a path, saying why', (path, why) => {
    const problem = pathProblem(path);
    expect(problem).toMatch(/^expected an absolute path like \/builds\/worker/);
    if (why) expect(problem).toContain(why);
    expect(AbsolutePath.safeParse(path).success).toBe(false);
  });

  it.each(['/', '/builds/worker', '/home/cltbld/.active', '/var/lib/runner/worker.pid', '/a..b/.hidden', '/tmp/x y'])(
    'takes %j as a path',
    (path) => {
      expect(pathProblem(path)).toBeUndefined();
    },
  );

  it.each([
    ['/', 'the root of the machine'],
    ...['/home', '/tmp', '/var', '/var/lib', '/var/tmp', '/root', '/run', '/opt', '/srv', '/mnt', '/media'].map((d) => [
      d,
      'a system dir',
    ]),
    ...[
      '/etc',
      '/etc/runner',
      '/usr/local/builds',
      '/lib64/x',
      '/libx32',
      '/proc/1',
      '/sys/fs',
      '/dev/shm/b',
      '/boot/efi',
      '/bin/x',
      '/sbin/x',
    ].map((d) => [d, 'in the system tree']),
  ])('refuses %j as a base dir (%s)', (dir, why) => {
    expect(systemDirProblem(dir)).toContain(why);
    expect(BaseDir.safeParse(dir).success).toBe(false);
  });

  it.each([
    '/builds/worker',
    '/home/cltbld/builds',
    '/tmp/runner-test-x',
    '/var/lib/runner',
    '/run/runner',
    '/srv/ci',
    '/library',
    '/usrx',
  ])('takes %j as a base dir', (dir) => {
    expect(BaseDir.parse(dir)).toBe(dir);
  });

  it('finds dirs that repeat, hold or lie inside an earlier one, naming both', () => {
    expect(isWithin('/b/w', '/b')).toBe(true);
    expect(isWithin('/bw', '/b')).toBe(false);
    expect(overlaps(['/b/w', '/b/wx', '/b/w/try', '/b', '/b/wx'], 'dirs')).toEqual([
      { at: 2, message: '"/b/w/try" lies inside dirs[0] "/b/w"' },
      { at: 3, message: '"/b" holds dirs[0] "/b/w"' },
      { at: 4, message: '"/b/wx" is listed twice (also dirs[1])' },
    ]);
    expect(overlaps(['/', '/b', '/b/../b'], 'dirs')).toEqual([]); // refused on their own, not twice
  });
});

describe('config: protective options it cannot read are errors', () => {
  const purge = (keep: string) => `checks:\n  - purge:\n      dirs: [/builds/worker]\n      keep: [${keep}]\n`;

  it.each([
    ['"rel-*:10days"', '"10days" after the \':\' is not a duration'],
    ['"rel-*:"', '"" after the \':\' is not a duration'],
    ['"rel-*:0d"', 'the age "0d" protects nothing'],
    ['"a:b:10d"', "more than one ':'"],
    ['":10d"', 'the glob is empty'],
    ['"rel-* "', 'starts or ends with a space'],
    ['"rel-[0-9]*:10d", "[x"', "'[' with no closing ']'"],
    ['{rel-*: 10d}', 'got {"rel-*":"10d"}'],
  ])('purge keep %s is refused: %s', (keep, why) => {
    const [problem, ...more] = problems(purge(keep));
    expect(more).toEqual([]);
    expect(problem).toMatch(
      /^runner\.yaml:4:\d+: checks\[0\]\.purge\.keep\[\d\]: expected NAME-GLOB or NAME-GLOB:DURATION \(s, m, h, d, w\), like info or rel-\*:10d, got /,
    );
    expect(problem).toContain(why);
  });

  it('reads the keep forms it documents', () => {
    const opts = parseConfig(purge('info, "rel-*:10d", "try-[0-9]*:1h30m", "[[]x"'), 'runner.yaml').checks[0]?.options;
    expect(opts).toMatchObject({
      keep: [
        { glob: 'info' },
        { glob: 'rel-*', maxAgeMs: 10 * 86_400_000 },
        { glob: 'try-[0-9]*', maxAgeMs: 5_400_000 },
        { glob: '[[]x' },
      ],
    });
  });

  it('clobber skip globs are names: no /, no surrounding spaces, closed classes', () => {
    expect(nameGlobProblem('scripts/')).toContain("contains '/'");
    expect(nameGlobProblem(' scripts')).toContain('space');
    expect(nameGlobProblem('')).toContain('empty');
    expect(nameGlobProblem('*.log')).toBeUndefined();
    expect(problems('checks:\n  - clobber: { dir: /builds/worker, feed: /etc/f.json, skip: ["scripts/"] }\n')).toEqual([
      `runner.yaml:2:63: checks[0].clobber.skip[0]: expected a glob on a name like scripts or *.log, got "scripts/": the glob contains '/' (it matches one name, not a path)`,
    ]);
  });

  it('temp keep globs: no age suffix, no climbing, closed classes; a plain colon stays a name', () => {
    const temp = (keep: string) => `checks:\n  - temp: { paths: ["/tmp/*"], users: [cltbld], keep: [${keep}] }\n`;
    expect(problems(temp('"/tmp/pulse-*:15m"'))[0]).toContain('":15m" looks like an age, and temp keeps have none');
    expect(problems(temp('"/tmp/../etc/*"'))[0]).toContain("it has a '..' component");
    expect(problems(temp('"/tmp/[ab"'))[0]).toContain("'[' with no closing ']'");
    expect(parseConfig(temp('"/tmp/.X11-unix", "/tmp/ssh-*:agent"'), 'runner.yaml').checks[0]?.options).toMatchObject({
      keep: ['/tmp/.X11-unix', '/tmp/ssh-*:agent'],
    });
  });

  it('clobber feed and image files are canonical paths too', () => {
    expect(problems('checks:\n  - clobber: { dir: /builds/worker, feed: /etc/../f.json }\n')[0]).toContain(
      'checks[0].clobber.feed: expected an absolute path like /builds/worker',
    );
    expect(problems('checks:\n  - image: { current: { file: /etc//image-id }, wanted: { file: /x } }\n')[0]).toContain(
      'checks[0].image.current.file: expected an absolute path',
    );
  });

  it('tools: a share and a checkout must not hold one another', () => {
    const text =
      'checks:\n  - tools:\n      share: /builds/tools/.shared\n      checkouts: [{ path: /builds/tools, vcs: hg, repo: r }]\n';
    expect(problems(text)).toEqual([
      'runner.yaml:3:14: checks[0].tools.share: "/builds/tools/.shared" lies inside checkouts[0] "/builds/tools": a clean or reclone of one would delete the other',
    ]);
  });

  it('a missing path is still "required"', () => {
    expect(problems('checks:\n  - clobber: { feed: /f.json }\n')).toEqual([
      'runner.yaml:2:14: checks[0].clobber.dir: required (string)',
    ]);
  });
});

describe("config: runner's own files stay out of the build trees", () => {
  const checks =
    'checks:\n  - purge: { dirs: [/builds/worker] }\n  - processes: { users: [cltbld], baseline: /builds/worker/.baseline }\n';

  it('refuses a state dir, lock, pid file or baseline inside a base dir or the worker basedir, naming both', () => {
    const text = `${checks}lifecycle:\n  worker: { basedir: /home/cltbld/worker, pid_file: /home/cltbld/worker/w.pid }\n  state_dir: /builds/worker/.runner\n  lock: /home/cltbld/worker/off.json\n`;
    const why = "runner's own files must stay out of the build trees";
    expect(problems(text)).toEqual([
      `runner.yaml:3:45: checks[1].processes.baseline: "/builds/worker/.baseline" lies inside checks[0].purge.dirs[0] "/builds/worker": ${why}`,
      `runner.yaml:6:14: lifecycle.state_dir: "/builds/worker/.runner" lies inside checks[0].purge.dirs[0] "/builds/worker": ${why}`,
      `runner.yaml:7:9: lifecycle.lock: "/home/cltbld/worker/off.json" lies inside lifecycle.worker.basedir "/home/cltbld/worker": ${why}`,
      `runner.yaml:5:53: lifecycle.worker.pid_file: "/home/cltbld/worker/w.pid" lies inside lifecycle.worker.basedir "/home/cltbld/worker": ${why}`,
    ]);
  });

  it('takes them beside the build trees, and a worker basedir that is the base dir', () => {
    const text =
      'checks:\n  - purge: { dirs: [/builds/worker] }\n  - processes: { users: [cltbld] }\nlifecycle:\n  worker: { basedir: /builds/worker }\n  state_dir: /var/lib/runner\n';
    expect(parseConfig(text, 'runner.yaml').lifecycle?.state_dir).toBe('/var/lib/runner');
  });
});
