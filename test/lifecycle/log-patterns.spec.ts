import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builderIn, classifyLine, type LogFormat } from '../../src/lifecycle/log-patterns.js';

function events(fixture: string, format: LogFormat = 'buildbot-3'): string[] {
  const text = readFileSync(new URL(`../../fixtures/lifecycle/${fixture}`, import.meta.url), 'utf8');
  return text.split('\n').flatMap((line) => classifyLine(line, format) ?? []);
}

describe('lifecycle/log-patterns', () => {
  it('reads a 3.7 session drained by SIGHUP (captured twistd.log)', () => {
    expect(events('3.7-signal-drain.log')).toEqual([
      'armed-signal',
      'attaching',
      'attaching',
      'attached',
      'build-started',
      'command-started',
      'draining',
      'draining',
      'stopping',
    ]);
  });

  it('reads a 3.7 session drained by shutdown.stamp', () => {
    expect(events('3.7-stamp-drain.log')).toEqual([
      'armed-stamp',
      'attaching',
      'attaching',
      'attached',
      'build-started',
      'command-started',
      'draining',
      'draining',
      'stopping',
    ]);
  });

  it('sees a refused login, then the worker retrying (it would for ever)', () => {
    expect(events('3.7-refused.log')).toEqual(['armed-signal', 'refused', 'lost', 'stopping', 'stopping']);
  });

  it('sees connection retries when no master listens, and never an attach', () => {
    expect(events('3.7-no-master.log')).toEqual(['armed-signal', 'lost', 'lost', 'stopping', 'stopping']);
  });

  it.each([
    ['buildbot-4', '2026-01-01 10:00:00+0000 [Broker,client] (command 3f2a): startCommand:shell', 'command-started'],
    ['buildbot-4', '2026-01-01 10:00:00+0000 [Broker,client] message from master: attached', 'attaching'],
    ['buildbot-4', '2026-01-01 10:00:00+0000 [Broker,client] Connected to buildmaster; worker is ready', 'attached'],
    [
      'buildbot-0.8',
      '2014-06-01 10:00:00-0700 [Broker,client] Connected to buildbot-master01:9001; slave is ready',
      'attached',
    ],
    [
      'buildbot-0.8',
      '2014-06-01 10:00:00-0700 [Broker,client] SlaveBuilder.remote_print(Linux x86-64 try build): message from master: ping',
      'build-started',
    ],
    ['buildbot-0.8', '2014-06-01 10:00:00-0700 [-] Lost connection to buildbot-master01:9001', 'lost'],
    [
      'buildbot-0.8',
      '2014-06-01 10:00:00-0700 [Broker,client] unauthorized login; check slave name and password',
      'refused',
    ],
    [
      'buildbot-0.8',
      '2014-06-01 10:00:00-0700 [-] Initiating shutdown because /builds/slave/shutdown.stamp was touched',
      'draining',
    ],
  ] as const)('%s: %s', (format, line, want) => {
    expect(classifyLine(line, format)).toBe(want);
  });

  it('ignores the lines that do not matter, and a worker line in a 0.8 table', () => {
    expect(classifyLine('2026-11-28 06:08:58+0000 [Broker,client]   using PTY: False', 'buildbot-3')).toBeUndefined();
    expect(
      classifyLine(
        '2026-11-28 06:08:57+0000 [Broker,client] Connected to buildmaster; worker is ready',
        'buildbot-0.8',
      ),
    ).toBeUndefined();
  });
});

describe('builderIn: the builder a line names, where the format has one', () => {
  const base = '/home/w/worker';
  it.each([
    ['buildbot-3', '  in dir /home/w/worker/sleepy/build (timeout 1200 secs)', 'sleepy'],
    ['buildbot-4', '  in dir /home/w/worker/linux64-opt/src (timeout 60 secs)', 'linux64-opt'],
    ['buildbot-3', '  in dir /elsewhere/sleepy/build (timeout 1200 secs)', undefined],
    ['buildbot-3', '  in dir /home/w/worker (timeout 1200 secs)', undefined],
    ['buildbot-3', 'message from master: ping', undefined],
    ['buildbot-0.8', 'SlaveBuilder.remote_print(linux-try): message from master: ping', 'linux-try'],
    ['buildbot-0.8', 'message from master: ping', undefined],
  ] as const)('%s %j → %s', (format, line, want) => {
    expect(builderIn(line, format as LogFormat, base)).toBe(want);
  });
});
