import * as z from 'zod';
import { checks } from '../checks/api.js';
import { ConfigError } from '../core/errors.js';
import { remediations } from '../remediations/api.js';
import type { Io } from '../core/io.js';

/** `runner checks`: one line per check; `runner checks ID`: its options, generated from its schema. */
export function listChecks(id: string | undefined, io: Io): number {
  if (id === undefined) {
    const width = Math.max(...[...checks.keys()].map((k) => k.length));
    for (const [key, check] of [...checks].sort(([a], [b]) => a.localeCompare(b))) {
      const fix = check.recycle ? 'halt' : remediations.has(key) ? 'fix' : 'report';
      io.stdout.write(`${key.padEnd(width)}  ${fix.padEnd(6)}  ${check.summary}\n`);
    }
    return 0;
  }
  const check = checks.get(id);
  if (!check) throw new ConfigError(`unknown check '${id}' (known: ${[...checks.keys()].join(', ')})`);
  io.stdout.write(`${id}: ${check.summary}\n\noptions:\n`);
  const schema = z.toJSONSchema(check.options, { io: 'input', unrepresentable: 'any' }) as JsonObject;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
    const dflt =
      prop.default === undefined
        ? required.has(name)
          ? ' (required)'
          : ''
        : ` (default ${JSON.stringify(prop.default)})`;
    io.stdout.write(`  ${name}${dflt}\n      ${prop.description ?? ''}\n`);
  }
  return 0;
}

type JsonObject = Record<string, unknown>;
