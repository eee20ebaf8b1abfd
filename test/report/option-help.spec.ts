import { describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/api.js';
import { inputSchema } from '../../src/commands/checks.js';
import { LifecycleOptions } from '../../src/config/lifecycle.js';
import { renderFields } from '../../src/report/option-help.js';

const sections = [...[...checks].map(([id, c]) => [id, c.options] as const), ['lifecycle', LifecycleOptions] as const];
const fieldLines = (id: string, schema: (typeof sections)[number][1]) =>
  // each field is two lines: its head (name: type, default; example), then its description
  renderFields(id, inputSchema(schema)).filter((_, i) => i % 2 === 0);

describe('help: every field of every section, nested ones too', () => {
  it("lists a tools checkout's fields, each with type, required/default and an example", () => {
    const lines = renderFields('tools', inputSchema(checks.get('tools')!.options));
    expect(lines).toContain('    checkouts[].path: string, required; e.g. /builds/tools');
    expect(lines).toContain('    checkouts[].vcs: one of hg, git, required; e.g. hg');
    expect(lines).toContain('    checkouts[].revision: string, optional; e.g. 0123abcd4567');
    expect(lines).toContain('  timeout: duration, default 10m; e.g. 30m');
  });

  it('describes lifecycle: nested worker, drain and retry fields with their defaults', () => {
    const lines = renderFields('lifecycle', inputSchema(LifecycleOptions));
    expect(lines).toContain('    worker.basedir: string, required; e.g. /builds/worker');
    expect(lines).toContain('    drain.via: one of stamp, signal, default stamp; e.g. signal');
    expect(lines).toContain('    retry.tries: integer, default 5; e.g. 5');
    expect(lines).toContain('  defer_deletes: boolean, default true; e.g. false');
  });

  it.each(sections.map(([id, schema]) => [id, schema]))('%s: every field has a type and an example', (id, schema) => {
    const missing = fieldLines(id, schema).filter((l) => !l.includes('; e.g. ') && !/: mapping, /.test(l));
    expect(missing).toEqual([]);
    expect(fieldLines(id, schema).length).toBeGreaterThan(1);
  });
});
