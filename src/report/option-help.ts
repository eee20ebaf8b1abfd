import { DURATION_PATTERN, SIZE_PATTERN } from '../core/quantity.js';
import { EXAMPLES } from './examples.js';

/** A JSON Schema node (input side of a zod schema), as far as help reads it. */
export interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minItems?: number;
  minimum?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  anyOf?: SchemaNode[];
}

/** Every field of an options schema, nested ones under their parent (`checkouts[].path`): type, default, example. */
export function renderFields(section: string, schema: SchemaNode, prefix = '', indent = '  '): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, node]) => {
    const path = `${prefix}${name}`;
    const need = required.has(name)
      ? 'required'
      : node.default !== undefined
        ? `default ${flow(node.default)}`
        : 'optional';
    const example = EXAMPLES[`${section}.${path}`] ?? exampleOf(node);
    const head = `${indent}${path}: ${typeName(node)}, ${need}${example === undefined ? '' : `; e.g. ${flow(example)}`}`;
    const lines = [head, `${indent}    ${node.description ?? ''}`];
    const inner = objectOf(node);
    const nestedPrefix = `${path}${node.type === 'array' ? '[]' : ''}.`;
    return inner ? [...lines, ...renderFields(section, inner, nestedPrefix, `${indent}  `)] : lines;
  });
}

/** The fields of a mapping, or of the mappings a list holds. */
function objectOf(node: SchemaNode): SchemaNode | undefined {
  const target = node.type === 'array' ? node.items : node;
  return target?.properties ? target : undefined;
}

export function typeName(node: SchemaNode): string {
  if (node.anyOf) return node.anyOf.map(typeName).join(' or ');
  if (node.const !== undefined) return flow(node.const);
  if (node.enum) return `one of ${node.enum.map(flow).join(', ')}`;
  if (node.pattern === SIZE_PATTERN) return 'size';
  if (node.pattern === DURATION_PATTERN) return 'duration';
  if (node.pattern?.endsWith(DURATION_PATTERN)) return 'duration or off';
  if (node.type === 'array')
    return `list of ${node.items ? plural(typeName(node.items)) : 'values'}${node.minItems ? ` (at least ${node.minItems})` : ''}`;
  if (node.type === 'object')
    return typeof node.additionalProperties === 'object' && !node.properties
      ? `mapping of names to ${plural(typeName(node.additionalProperties))}`
      : 'mapping';
  return node.type ?? 'any value';
}

function plural(type: string): string {
  return /^(string|integer|number|boolean|size|duration|mapping)$/.test(type) ? `${type}s` : type;
}

/** The schema's own example, else one its type implies: the default, the first choice, a boolean. */
export function exampleOf(node: SchemaNode): unknown {
  if (node.examples?.length) return node.examples[0];
  if (node.enum?.length) return node.enum[node.default === node.enum[0] && node.enum.length > 1 ? 1 : 0];
  if (node.type === 'boolean') return node.default !== true;
  if (node.type === 'integer' || node.type === 'number') return node.default ?? node.minimum ?? 1;
  if (node.default !== undefined && !isEmpty(node.default)) return node.default;
  if (node.anyOf) return node.anyOf.map(exampleOf).find((e) => e !== undefined);
  if (node.type === 'array' && node.items) {
    const item = exampleOf(node.items);
    return item === undefined ? undefined : [item];
  }
  return undefined;
}

function isEmpty(value: unknown): boolean {
  return (
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** A value as YAML flow text, the way it is written in runner.yaml. */
export function flow(value: unknown): string {
  if (typeof value === 'string')
    return /^[\w./@+~-][\w./:@+*~ -]*$/.test(value) && !value.endsWith(' ') ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(', ')}}`;
  return String(value);
}
