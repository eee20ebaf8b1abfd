import { describe, expect, it } from 'vitest';
import { pickId } from '../../src/checks/image/parse.js';

describe('checks/image pickId', () => {
  it.each([
    ['ami-0123\n', undefined, 'ami-0123'],
    ['{"id": "ami-0456"}', 'id', 'ami-0456'],
    ['{"images": {"linux64": {"id": 42}}}', 'images.linux64.id', '42'],
  ])('%j with field %s → %s', (text, field, id) => {
    expect(pickId(text, field, 'src')).toBe(id);
  });

  it.each([
    ['  \n', undefined, 'src is empty'],
    ['<html>', 'id', 'src is not JSON'],
    ['{"id": {"nested": 1}}', 'id', 'src has no string or number at id'],
    ['{"id": ""}', 'id', 'src field id is empty'],
    ['[1]', 'a.b', 'src has no string or number at a.b'],
  ])('%j with field %s fails: %s', (text, field, message) => {
    expect(() => pickId(text, field, 'src')).toThrow(message);
  });
});
