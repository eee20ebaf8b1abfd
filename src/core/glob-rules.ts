import * as z from 'zod';
import { notA } from '../core/expected.js';

const NAME_FORM = 'expected a glob on a name like scripts or *.log';

/** Why `glob` cannot be a glob on one name (fnmatch: *, ?, [abc], [!a-z]), or undefined. */
export function nameGlobProblem(glob: string): string | undefined {
  if (glob === '') return 'the glob is empty';
  if (glob.includes('/')) return "the glob contains '/' (it matches one name, not a path)";
  if (glob.includes('\0')) return 'the glob holds a NUL byte';
  if (glob.trim() !== glob) return 'the glob starts or ends with a space: no name you meant would match';
  return unclosedClass(glob);
}

/** Why a glob's `[` classes would not work as the matcher reads them (an unclosed `[` is taken literally). */
export function unclosedClass(glob: string): string | undefined {
  for (let i = glob.indexOf('['); i !== -1; i = glob.indexOf('[', i + 1)) {
    const end = glob.indexOf(']', i + 2);
    if (end === -1) return "the glob has a '[' with no closing ']': write [[] to match a '['";
    i = end;
  }
  return undefined;
}

/** A glob on one name, like `scripts` or `*.log`. */
export const NameGlob = z.string({ error: notA(NAME_FORM) }).superRefine((g, ctx) => {
  const why = nameGlobProblem(g);
  if (why) ctx.addIssue({ code: 'custom', input: g, message: `${NAME_FORM}, got ${JSON.stringify(g)}: ${why}` });
});
