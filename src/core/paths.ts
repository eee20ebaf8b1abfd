/** Suffix of a dir being deleted: a kill mid-delete leaves `<name>.deleteme`, removed by the next run. */
export const LEFTOVER_SUFFIX = '.deleteme';

/** Why a name from an untrusted source (a feed) cannot be used as one path component, or undefined if it can. */
export function unsafeName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'empty or a dot name';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/')) return 'is an absolute path';
  if (name.includes('/')) return "contains '/'";
  return undefined;
}
