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

  it("describes a check's options from its schema: default, required, or neither", () => {
    const text = renderCheckOptions('purge', 'deletes old build dirs', {
      properties: { dirs: { description: 'base dirs' }, min_age: { default: '1h', description: 'never younger' } },
      required: ['dirs'],
    });
    expect(text).toBe(
      'purge: deletes old build dirs\n\noptions:\n  dirs (required)\n      base dirs\n  min_age (default "1h")\n      never younger\n',
    );
  });
});
