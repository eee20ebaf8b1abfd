import { configJsonSchema, configPath, loadConfig } from '../config/load.js';
import type { Io } from '../core/io.js';

export async function validateConfig(file: string | undefined, io: Io): Promise<number> {
  const config = await loadConfig(configPath(file, io.env));
  io.stdout.write(
    `${config.file}: ok (${config.checks.length} checks: ${config.checks.map((c) => c.id).join(', ')})\n`,
  );
  return 0;
}

export function printSchema(io: Io): number {
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
}
