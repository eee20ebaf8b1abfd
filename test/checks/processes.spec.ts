import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatBaseline,
  parseBaseline,
  parsePidFile,
  parsePs,
  parseSnapshot,
} from '../../src/checks/processes/parse.js';
import { parseExeRecords, parseStatRecords, startTimeOf } from '../../src/checks/processes/procfs.js';
import { ProcessesOptions, type Proc } from '../../src/checks/processes/schema.js';
import { allowRules, classify, findStrays, protectedPids, wholeGroups } from '../../src/checks/processes/select.js';
import { parseConfig } from '../../src/config/load.js';
import { matchUsers } from '../../src/core/users.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/processes/${name}`, import.meta.url), 'utf8');
/** A capture of `sh -c 'echo $$; exec ps -ww -eo …'`: the probing shell's pid, then ps. */
function capture(name: string): { self: number; procs: Proc[] } {
  const text = fixture(name);
  const nl = text.indexOf('\n');
  return { self: Number(text.slice(0, nl)), procs: parsePs(text.slice(nl + 1)) };
}
const proc = (pid: number, args: string, more: Partial<Proc> = {}): Proc => ({
  pid,
  ppid: 1,
  pgid: pid,
  sid: pid,
  uid: 1001,
  etimes: 100,
  stat: 'S',
  args,
  ...more,
});

describe('checks/processes parse', () => {
  // captured: `sh -c 'echo $$; exec ps -ww -eo …'` in a pid namespace, with processes of rtest-build (uid 1001)
  const ns = capture('namespace.txt');

  it('reads every process with its fields, zombies, stopped ones and odd command lines', () => {
    expect(ns.self).toBe(15);
    expect(ns.procs).toHaveLength(13);
    expect(ns.procs.find((p) => p.pid === 9)).toEqual({
      pid: 9,
      ppid: 8,
      pgid: 0,
      sid: 0,
      uid: 1001,
      etimes: 0,
      stat: 'Z',
      args: '[sleep] <defunct>',
    });
    expect(ns.procs.find((p) => p.pid === 10)?.stat).toBe('T');
    // two spaces kept, the newline shown by ps as a space and the tab as '?'
    expect(ns.procs.find((p) => p.pid === 11)?.args).toBe(
      `perl -e sleep 300 -- two  spaces it's "double" new line?tab`,
    );
    expect(ns.procs.find((p) => p.pid === 12)).toMatchObject({
      pgid: 12,
      sid: 12,
      stat: 'Ss',
      args: 'sh -c sleep 301 & sleep 302 & wait',
    });
  });

  it('skips lines that do not fit and keeps kernel threads as they are', () => {
    const procs = parsePs('garbage\n    2     0     0     0     0     851 S    [kthreadd]\n  77 1 77 77 1001 5 R\n\n');
    expect(procs.map((p) => [p.pid, p.args])).toEqual([
      [2, '[kthreadd]'],
      [77, ''],
    ]);
  });

  it("splits the probe's output: its own pid, passwd, stat records, ps, exe records, realpaths; refuses anything else", () => {
    const stat = (pid: number, comm: string, start: number) =>
      `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${start} 0 0`;
    const grep = (pid: number, text: string) =>
      text
        .split('\n')
        .map((l) => `/proc/${pid}/stat\x00${l}\n`)
        .join('');
    const out = [
      '4242\ncltbld:x:1001:1001::/home/cltbld:/bin/sh\n',
      `${grep(4242, stat(4242, 'sh', 900))}${grep(77, stat(77, 'x\n/proc/4242/stat', 500))}`,
      ' 4242  1 4242 4242 1001  0 S    sh -c\n   77  1   77   77 1001  5 S    sleep 9\n',
      '/proc/4242\t/usr/bin/dash\x00/proc/77\t/usr/bin/sleep\x00real\x00/usr/bin/Xvfb\x00\x00',
    ].join('\x00\x00');
    expect(parseSnapshot(out)).toEqual({
      self: 4242,
      passwd: 'cltbld:x:1001:1001::/home/cltbld:/bin/sh\n',
      procs: [
        expect.objectContaining({ pid: 4242, start: 900, exe: '/usr/bin/dash' }),
        expect.objectContaining({ pid: 77, start: 500, exe: '/usr/bin/sleep', args: 'sleep 9' }),
      ],
      real: ['/usr/bin/Xvfb', ''],
    });
    expect(parseSnapshot('7\n\x00\x00\x00\x00\x00\x00real\x00')).toEqual({ self: 7, passwd: '', procs: [], real: [] });
    expect(() => parseSnapshot('  PID PPID\n')).toThrow(/expected the probe's own pid first, got "PID PPID"/);
    expect(() => parseSnapshot('12\ncltbld:x:1001\n')).toThrow("the probe's output ends before its ps part");
    expect(() => parseSnapshot('12\n\x00\x00\x00\x00 12 1 12 12 0 0 R ps\n\x00\x00/proc/12\t/bin/ps\x00')).toThrow(
      "the probe's output ends before its exe part",
    );
  });

  it('reads the start time after the last ")" of /proc/PID/stat, whatever the comm holds', () => {
    const tail = 'S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0\n';
    expect(startTimeOf(`5 (sleep) ${tail}`)).toBe(123456);
    expect(startTimeOf(`5 (a) b (c) 1 2) ${tail}`)).toBe(123456);
    expect(startTimeOf(`5 (a\n) S 9 9) ${tail}`)).toBe(123456);
    expect(startTimeOf('5 (sleep S 1 2')).toBeUndefined();
    expect(startTimeOf('5 (x) S 1')).toBeUndefined();
    // grep -Z splits a comm with newlines into records of the same file: they are joined again, the pid from the name
    expect(parseStatRecords(`/proc/5/stat\x009 (a\n/proc/5/stat\x00) ${tail}/proc/6/stat\x00garbage\n`)).toEqual(
      new Map([[5, 123456]]),
    );
  });

  it('reads exe links by the pid in their name; unreadable, deleted or relative ones are left out', () => {
    expect(
      parseExeRecords([
        '/proc/5\t/usr/bin/sleep',
        '/proc/6\t',
        '/proc/7\t/usr/bin/Xvfb (deleted)',
        '/proc/8\t/home/b/x\n/proc/9\t/usr/bin/sleep',
        '/proc/self\t/bin/sh',
        '/proc/10\tx',
      ]),
    ).toEqual(
      new Map([
        [5, '/usr/bin/sleep'],
        [8, '/home/b/x\n/proc/9\t/usr/bin/sleep'],
      ]),
    );
  });

  it('round-trips a baseline with quotes, spaces and backslashes', () => {
    const b = {
      uids: [1001, 1002],
      entries: [
        { uid: 1002, args: 'a "b"  c\\d', count: 2 },
        { uid: 1001, args: '/usr/bin/Xvfb :0', count: 1 },
      ],
    };
    const text = formatBaseline(b, 'recorded now');
    expect(text.split('\n').slice(3)).toEqual([
      'users 1001 1002',
      '1 1001 "/usr/bin/Xvfb :0"',
      '2 1002 "a \\"b\\"  c\\\\d"',
      '',
    ]);
    expect(parseBaseline(text, '/b')).toEqual({ uids: [1001, 1002], entries: [b.entries[1], b.entries[0]] });
  });

  it.each([
    ['', 'baseline /b: no "users UID…" line'],
    ['users 1001\n1 1001 sleep 5\n', 'baseline /b:2: expected COUNT UID "COMMAND LINE", got "1 1001 sleep 5"'],
    ['users 1001\n0 1001 "x"\n', 'baseline /b:2: expected COUNT UID'],
    ['users 1001\n1 1001 ["x"]\n', 'baseline /b:2: expected COUNT UID'],
    ['# c\nusers 1001\n1 1001 "x"\n2 1001 "x"\n', 'baseline /b:4: the same user and command line listed twice'],
    ['users bob\n', 'baseline /b:1: expected "users" and one or more uids'],
    ['users 1\nusers 2\n', 'baseline /b:2: a second "users" line'],
  ])('rejects a malformed baseline %j with its path and line', (text, message) => {
    expect(() => parseBaseline(text, '/b')).toThrow(message);
  });

  it('reads pid files strictly: pids only, an empty file is an error', () => {
    expect(parsePidFile('4242\n', '/w.pid')).toEqual([4242]);
    expect(parsePidFile(' 10 11\n12\n', '/w.pid')).toEqual([10, 11, 12]);
    expect(() => parsePidFile('', '/w.pid')).toThrow('pid file /w.pid is empty');
    expect(() => parsePidFile('12\nabc\n', '/w.pid')).toThrow('pid file /w.pid:2: expected pids, got "abc"');
    expect(() => parsePidFile('1\n', '/w.pid')).toThrow('pid file /w.pid:1: expected pids, got "1"');
  });
});

describe('checks/processes selection', () => {
  it('protects the whole SSH session the probe runs in: its other channels and sftp-server too', () => {
    // captured over a real multiplexed ssh connection as a test user (uid 1002): `sleep 20` and sftp-server
    // run in other channels of the same session; the probe is pid 14819
    const { self, procs } = capture('ssh-session.txt');
    const shielded = protectedPids(procs, self, []);
    for (const pid of [1, 14819, 14818, 14720, 14693, 14540, 14740, 14743, 14741, 14746])
      expect(shielded.has(pid), String(pid)).toBe(true);
    // the listener's other sessions are not protected by this one
    expect(shielded.has(14559)).toBe(false);
    expect(classify(procs, shielded, [1002], []).counted).toEqual([]);
  });

  it('protects the ancestors of the probe and the descendants of protected pids, nothing more', () => {
    const procs = [
      proc(1, 'init', { uid: 0 }),
      proc(50, 'runner', { ppid: 1 }),
      proc(51, 'sh -c ps', { ppid: 50 }),
      proc(60, 'worker'),
      proc(61, 'step', { ppid: 60 }),
      proc(70, 'stray'),
    ];
    expect([...protectedPids(procs, 51, [60, 999])].sort((a, b) => a - b)).toEqual([1, 50, 51, 60, 61]);
    expect(() => protectedPids(procs, 52, [])).toThrow('the probe (pid 52) is not in its own ps output');
  });

  it('keeps the oldest processes of a command line up to its baseline count; spares the young and the allowed', () => {
    const procs = [
      proc(10, 'Xvfb :0', { etimes: 5000 }),
      proc(11, 'Xvfb :0', { etimes: 60 }),
      proc(12, 'Xvfb :0', { etimes: 3 }),
      proc(20, 'make -j4', { etimes: 60 }),
      proc(21, '/usr/bin/Xvfb :1', { etimes: 60, exe: '/usr/lib/xorg/Xvfb' }),
      proc(30, 'sleep 5', { uid: 1002, etimes: 60 }),
      proc(40, '[sh] <defunct>', { stat: 'Z' }),
    ];
    const view = classify(
      procs,
      new Set([1]),
      [1001],
      allowRules(['/usr/bin/Xvfb *'], new Map([['/usr/bin/Xvfb', ['/usr/bin/Xvfb', '/usr/lib/xorg/Xvfb']]])),
    );
    expect(view.counted.map((p) => p.pid)).toEqual([10, 11, 12, 20]);
    expect(view.zombies.map((p) => p.pid)).toEqual([40]);
    const baseline = { uids: [1001], entries: [{ uid: 1001, args: 'Xvfb :0', count: 1 }] };
    expect(findStrays(view.counted, baseline, 10_000).map((p) => p.pid)).toEqual([11, 20]);
    expect(findStrays(view.counted, baseline, 0).map((p) => p.pid)).toEqual([11, 12, 20]);
  });

  it('allows by executable, not by argv[0]: a renamed process is not the program, a program started by another name is', () => {
    const rules = allowRules(['/usr/bin/Xvfb :9*', '/usr/bin/sleep'], new Map());
    const procs = [
      proc(10, '/usr/bin/Xvfb :99', { exe: '/usr/bin/perl' }),
      proc(11, '/usr/bin/Xvfb :99'),
      proc(12, '/usr/bin/Xvfb :99', { exe: '/usr/bin/Xvfb (deleted)' }),
      proc(13, 'Xvfb :99 -screen 0', { exe: '/usr/bin/Xvfb' }),
      proc(14, '/usr/bin/Xvfb :10', { exe: '/usr/bin/Xvfb' }),
      proc(15, 'sleep', { exe: '/usr/bin/sleep' }),
      proc(16, 'sleep 5', { exe: '/usr/bin/sleep' }),
    ];
    expect(classify(procs, new Set(), [1001], rules).counted.map((p) => p.pid)).toEqual([10, 11, 12, 14, 16]);
  });

  it('signals a group as a whole only when every live member is stray, and never groups 0 or 1', () => {
    const procs = [
      proc(100, 'sh -c build', { pgid: 100 }),
      proc(101, 'cc', { pgid: 100 }),
      proc(102, '[cc] <defunct>', { pgid: 100, stat: 'Z' }),
      proc(200, 'a', { pgid: 200 }),
      proc(201, 'b', { pgid: 200 }),
      proc(300, 'orphan', { pgid: 0 }),
      proc(301, 'x', { pgid: 1 }),
    ];
    const strays = procs.filter((p) => [100, 101, 200, 300, 301].includes(p.pid));
    expect(wholeGroups(procs, strays)).toEqual([100]);
  });
});

describe('checks/processes options and users', () => {
  it('never takes root in scope', () => {
    expect(ProcessesOptions.safeParse({ users: ['root'] }).success).toBe(false);
    expect(ProcessesOptions.safeParse({ users: [0] }).success).toBe(false);
    expect(() => matchUsers([{ name: 'toor', uid: 0 }], ['toor'])).toThrow(
      "user 'toor' has uid 0: root is never in scope",
    );
  });

  it('resolves names and uids; an unknown name is an error, an unknown uid is kept as a number', () => {
    const known = [{ name: 'cltbld', uid: 1001 }];
    expect(matchUsers(known, ['cltbld', 1001, '4242'])).toEqual([
      { name: 'cltbld', uid: 1001 },
      { name: '4242', uid: 4242 },
    ]);
    expect(() => matchUsers(known, ['nobody-here'])).toThrow("unknown user 'nobody-here' on this host");
  });

  it('defaults: baseline under /run (gone after a reboot), min_age 10s, grace 5s', () => {
    expect(ProcessesOptions.parse({ users: ['cltbld'] })).toEqual({
      users: ['cltbld'],
      allow: [],
      baseline: '/run/runner/processes.baseline',
      min_age: 10_000,
      grace: 5_000,
      protect: [],
    });
    expect(ProcessesOptions.safeParse({ users: ['cltbld'], protect: ['relative.pid'] }).success).toBe(false);
  });

  it('reports a bad allow entry in runner.yaml with its file, line and field', () => {
    const text = 'checks:\n  - processes:\n      users: [cltbld]\n      allow: ["/usr/bin/Xvfb *", "Xvfb *"]\n';
    expect(() => parseConfig(text, 'runner.yaml')).toThrow(
      'runner.yaml:4:34: checks[0].processes.allow[1]: expected "/absolute/program [args glob]", got "Xvfb *"',
    );
  });

  it('takes allow entries only as "/absolute/program [args glob]", naming the entry', () => {
    expect(ProcessesOptions.parse({ users: ['cltbld'], allow: ['/usr/bin/Xvfb *', '/usr/bin/sleep'] }).allow).toEqual([
      '/usr/bin/Xvfb *',
      '/usr/bin/sleep',
    ]);
    for (const bad of ['Xvfb *', '/usr/bin/X* :1', '', ' /usr/bin/Xvfb']) {
      const r = ProcessesOptions.safeParse({ users: ['cltbld'], allow: ['/usr/bin/ok', bad] });
      expect(r.error?.issues).toEqual([
        expect.objectContaining({
          path: ['allow', 1],
          message: `expected "/absolute/program [args glob]", got ${JSON.stringify(bad)}`,
        }),
      ]);
    }
  });
});
