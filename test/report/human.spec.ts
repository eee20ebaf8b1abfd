import { describe, expect, it } from 'vitest';
import { wantsColour, type Io } from '../../src/core/io.js';
import { makeDocument } from '../../src/report/document.js';
import { renderHuman } from '../../src/report/human.js';

const doc = makeDocument('check', new Date(), [
  {
    host: 'bld-01',
    results: [
      {
        check: 'purge',
        status: 'drift',
        summary: 'delete 1 dirs',
        plan: { delete: [], volumes: [], protected: [] },
        durationMs: 3,
      },
      {
        check: 'clobber',
        status: 'ok',
        summary: 'nothing pending',
        warnings: ['feed builddir ".." ignored'],
        durationMs: 1,
      },
    ],
  },
]);

function io(isTTY: boolean, env: NodeJS.ProcessEnv): Io {
  return {
    stdout: { write: () => true, isTTY },
    stderr: { write: () => true },
    env,
    signal: new AbortController().signal,
  };
}

describe('report/human', () => {
  it('prints one line per check, warnings under it, and a recap with the exit code', () => {
    const text = renderHuman(doc, { colour: false, plans: true });
    expect(text.split('\n')).toEqual([
      'drift       purge     delete 1 dirs',
      'ok          clobber   nothing pending',
      '                      warning: feed builddir ".." ignored',
      'check: 1 ok, 1 drift, 0 changed, 0 failed, 0 skipped, 0 unreachable (exit 2)',
      '',
    ]);
  });

  it('colours statuses only when asked', () => {
    expect(renderHuman(doc, { colour: true, plans: false })).toContain('\x1b[33mdrift');
    expect(renderHuman(doc, { colour: false, plans: false })).not.toContain('\x1b[');
  });

  it('asks for colour only on a terminal without NO_COLOR', () => {
    expect(wantsColour(io(true, {}))).toBe(true);
    expect(wantsColour(io(true, { NO_COLOR: '1' }))).toBe(false);
    expect(wantsColour(io(false, {}))).toBe(false);
  });
});
