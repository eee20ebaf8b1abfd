import { describe, expect, it } from 'vitest';
import { renderCheckList, renderCheckOptions } from '../../src/report/check-help.js';

describe('report/check-help', () => {
  it('lists checks sorted by id in aligned columns', () => {
    const text = renderCheckList([
      { id: 'purge', fix: 'fix', summary: 'deletes old build dirs' },
      { id: 'image', fix: 'halt', summary: 'the machine runs the wanted image' },
    ]);
    expect(text).toBe('image  halt    the machine runs the wanted image\npurge  fix     deletes old build dirs\n');
  });

  it("describes a check's options from its schema: type, default or required, an example", () => {
    const text = renderCheckOptions('purge', 'deletes old build dirs', {
      properties: {
        dirs: { type: 'array', items: { type: 'string' }, description: 'base dirs' },
        min_age: { type: 'string', default: '1h', description: 'never younger' },
      },
      required: ['dirs'],
    });
    expect(text).toBe(
      'purge: deletes old build dirs\n\noptions:\n  dirs: list of strings, required; e.g. [/builds/worker]\n      base dirs\n' +
        '  min_age: string, default 1h; e.g. 1h\n      never younger\n',
    );
  });
});
