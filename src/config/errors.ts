import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type * as z from 'zod';

export type Path = readonly PropertyKey[];

/** `checks[2].purge.free` */
export function formatPath(path: Path): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/** zod's message, except a missing field, which says so. */
function plain(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message))
    return `required (${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, '');
}

/** A YAML document that can say on which line a path lives. */
export class SourceMap {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();
  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true });
  }

  /** "file:line:col" of the deepest node along `path` that exists. */
  where(path: Path): string {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) {
        const { line, col } = this.lines.linePos(node.range[0]);
        return `${this.file}:${line}:${col}`;
      }
    }
    return `${this.file}:1:1`;
  }

  /** Syntax errors of the YAML itself, with their positions. */
  syntaxErrors(): string[] {
    return this.doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const msg = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return pos ? `${this.file}:${pos.line}:${pos.col}: ${msg}` : `${this.file}: ${msg}`;
    });
  }

  /** Each zod issue as "file:line:col: path: message"; `prefix` is where the validated value sits. */
  describeIssues(issues: readonly z.core.$ZodIssue[], prefix: Path = []): string[] {
    return issues.flatMap((issue) => {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `${this.where([...path, k])}: ${formatPath([...path, k])}: unknown key`);
      }
      return [`${this.where(path)}: ${formatPath(path)}: ${plain(issue)}`];
    });
  }
}

export { notA } from '../core/expected.js';
