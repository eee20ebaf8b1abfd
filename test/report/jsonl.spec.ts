import { describe, expect, it } from 'vitest';
import { eventLine } from '../../src/report/jsonl.js';

describe('report/jsonl', () => {
  it('renders one event line: time, event, iteration and state first, then the fields; one newline', () => {
    const time = '2026-11-28T10:05:00.000Z';
    const line = eventLine({ time, event: 'attached', iteration: 3, state: 'attached' }, { detail: 'a\nb' });
    expect(line).toBe(`{"time":"${time}","event":"attached","iteration":3,"state":"attached","detail":"a\\nb"}\n`);
    expect(eventLine({ time, event: 'warning', iteration: 0 }, {})).toBe(
      `{"time":"${time}","event":"warning","iteration":0}\n`,
    );
  });
});
