import * as z from 'zod';
import { checks } from '../checks/api.js';
import { ConfigError } from '../core/errors.js';
import { remediations } from '../remediations/api.js';
import { renderCheckList, renderCheckOptions } from '../report/check-help.js';
import type { SchemaNode } from '../report/option-help.js';
import type { Io } from '../core/io.js';

/** `runner checks`: one line per check; `runner checks ID`: its options, generated from its schema. */
export function listChecks(id: string | undefined, io: Io): number {
  if (id === undefined) {
    const lines = [...checks].map(([key, check]) => ({
      id: key,
      fix: check.recycle ? ('halt' as const) : remediations.has(key) ? ('fix' as const) : ('report' as const),
      summary: check.summary,
    }));
    io.stdout.write(renderCheckList(lines));
    return 0;
  }
  const check = checks.get(id);
  if (!check) throw new ConfigError(`unknown check '${id}' (known: ${[...checks.keys()].join(', ')})`);
  io.stdout.write(renderCheckOptions(id, check.summary, inputSchema(check.options)));
  return 0;
}

/** The JSON Schema of what is written in runner.yaml (the input side of the zod schema). */
export function inputSchema(schema: z.ZodType): SchemaNode {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
}
