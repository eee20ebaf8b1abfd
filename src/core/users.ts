import * as z from 'zod';
import { RunnerError } from './errors.js';
import type { ReadHost } from './types.js';

/** A user of the target host, resolved from a configured name or uid. */
export interface User {
  name: string;
  uid: number;
}

/** `users:` of a check: names or uids, never root (a stray root process may be any system daemon). */
// what useradd accepts by default (and Debian's NAME_REGEX): nothing a shell or getent could misread
const UserName = z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, {
  message: 'expected a user name like cltbld (letters, digits, _ . -) or a uid',
});

export const UserList = z
  .array(z.union([UserName, z.number().int().nonnegative()], { error: 'expected a user name or a uid' }))
  .min(1)
  .refine((list) => !list.some((u) => u === 'root' || u === 0), {
    message: 'root is never in scope: name the build users',
  })
  .describe('build users in scope: names or uids (never root)');

export type UserList = z.output<typeof UserList>;

/** A passwd entry: what it takes to start a process as the user. */
export interface Passwd extends User {
  gid: number;
  home: string;
}

/** Resolves names and uids on the host with one `getent passwd`; an unknown name or a user with uid 0 is an error. */
export async function resolveUsers(host: ReadHost, specs: readonly (string | number)[]): Promise<User[]> {
  const r = await host.run('getent', ['passwd', ...specs.map(String)]);
  return matchUsers(parsePasswd(r.stdout), specs);
}

/** One user's passwd entry by name or uid (`getent`, so NSS users too); undefined when there is none. */
export async function lookupUser(host: ReadHost, spec: string | number): Promise<Passwd | undefined> {
  const r = await host.run('getent', ['passwd', String(spec)]);
  return r.exitCode === 0 ? parsePasswdEntries(r.stdout)[0] : undefined;
}

/** `name:x:uid:gid:gecos:home:shell` lines, as users; malformed lines are ignored. */
export function parsePasswd(text: string): User[] {
  return parsePasswdEntries(text).map(({ name, uid }) => ({ name, uid }));
}

function parsePasswdEntries(text: string): Passwd[] {
  const entries: Passwd[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid, , home] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid))
      entries.push({ name, uid: Number(uid), gid: Number(gid), home: home ?? '' });
  }
  return entries;
}

export function matchUsers(known: readonly User[], specs: readonly (string | number)[]): User[] {
  const out: User[] = [];
  for (const spec of specs) {
    const numeric = typeof spec === 'number' || /^\d+$/.test(spec) ? Number(spec) : undefined;
    const user = known.find((u) => (numeric === undefined ? u.name === spec : u.uid === numeric));
    // a uid with no passwd entry is still a uid processes and files can have
    if (!user && numeric === undefined) throw new RunnerError(`unknown user '${spec}' on this host`);
    const found = user ?? { name: String(numeric), uid: numeric as number };
    if (found.uid === 0) throw new RunnerError(`user '${spec}' has uid 0: root is never in scope`);
    if (!out.some((u) => u.uid === found.uid)) out.push(found);
  }
  return out;
}

/** uid → name for display; an unknown uid shows as the number. */
export function userName(users: readonly User[], uid: number): string {
  return users.find((u) => u.uid === uid)?.name ?? String(uid);
}
