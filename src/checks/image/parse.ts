/** An id from a source's text: the trimmed text, or a field of it read as JSON. Throws naming the source. */
export function pickId(text: string, field: string | undefined, source: string): string {
  if (field === undefined) return nonEmpty(text.trim(), source);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source} is not JSON: ${(err as Error).message}`);
  }
  for (const key of field.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error(`${source} has no string or number at ${field}`);
  return nonEmpty(String(value).trim(), `${source} field ${field}`);
}

function nonEmpty(id: string, source: string): string {
  if (id === '') throw new Error(`${source} is empty`);
  return id;
}
