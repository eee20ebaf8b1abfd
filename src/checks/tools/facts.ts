import { decodeBytes } from '../../core/bytes.js';
import { CONFIG_CAP } from './commands.js';
import { whyAskHg } from './dirstate.js';
import { dirstateParent, hgrcDefault, parseGitStatus, parseHgStatus } from './parse.js';

export type Facts =
  | { state: 'missing' | 'not-a-repository'; leftovers: string[] }
  | { state: 'symlink'; leftovers: string[] }
  | { state: 'foreign'; leftovers: string[]; owner: string; me: string }
  | { state: 'unsafe'; leftovers: string[]; file: string; kind: string }
  | { state: 'repository'; leftovers: string[]; node: string; remote: string | undefined; dirty: string[] };

/** The native check (hg's `files` read) could not tell whether the working copy is clean: `hg status` must. */
export interface AskHg {
  state: 'ask-hg';
  why: string;
}

/** The keys each state has, besides `state` and any number of `leftover`; anything else is an error. */
const KEYS: Record<string, readonly string[]> = {
  missing: [],
  'not-a-repository': [],
  symlink: [],
  foreign: ['owner', 'me'],
  unsafe: ['file', 'kind'],
  'repository hg status': ['hgrc', 'dirstate'],
  'repository hg files': ['hgrc', 'dirstate', 'requires'],
  'repository git status': ['origin'],
};

/** The facts script's output (lines `key HEX`, then `status` or `files` and the raw listing), parsed strictly. */
export function parseFacts(out: string, vcs: 'hg' | 'git'): Facts | AskHg {
  const { records, tail, status } = splitRecords(out);
  const leftovers = records.filter(([k]) => k === 'leftover').map(([, v]) => decodeBytes(v));
  const fields = new Map<string, Buffer>();
  for (const [k, v] of records.filter(([k]) => k !== 'leftover')) {
    if (fields.has(k)) throw new Error(`facts output: "${k}" given twice`);
    fields.set(k, v);
  }
  const state = fields.get('state')?.toString('latin1') ?? '';
  const keys = KEYS[state === 'repository' ? `${state} ${vcs} ${tail ?? 'status'}` : state];
  if (keys === undefined) throw new Error('facts output: no known state');
  const extra = [...fields.keys()].filter((k) => k !== 'state' && !keys.includes(k));
  const missing = keys.filter((k) => !fields.has(k));
  if (extra.length || missing.length)
    throw new Error(`facts output for state ${state}: unexpected [${extra}], missing [${missing}]`);
  if ((status !== undefined) !== (state === 'repository'))
    throw new Error(
      `facts output for state ${state}: status listing ${status === undefined ? 'missing' : 'unexpected'}`,
    );
  const text = (k: string) => decodeBytes(fields.get(k) as Buffer);
  if (state === 'missing' || state === 'not-a-repository' || state === 'symlink') return { state, leftovers };
  if (state === 'foreign') return { state, leftovers, owner: text('owner'), me: text('me') };
  if (state === 'unsafe') return { state, leftovers, file: text('file'), kind: text('kind') };
  if (vcs === 'hg') {
    const hgrc = capped(fields.get('hgrc') as Buffer, '.hg/hgrc');
    const dirstate = fields.get('dirstate') as Buffer;
    const node = dirstateParent(dirstate.subarray(0, 32).toString('hex'));
    const requires = tail === 'files' ? (fields.get('requires') as Buffer).toString('latin1') : '';
    const why = tail === 'files' ? whyAskHg(dirstate, requires, status as string) : undefined;
    if (why) return { state: 'ask-hg', why };
    const dirty = tail === 'files' ? [] : parseHgStatus(status as string);
    return { state: 'repository', leftovers, node, remote: hgrcDefault(decodeBytes(hgrc)), dirty };
  }
  const git = parseGitStatus(status as string);
  const origin = decodeBytes(capped(fields.get('origin') as Buffer, 'remote.origin.url')).replace(/\n$/, '');
  return { state: 'repository', leftovers, node: git.node, remote: origin || undefined, dirty: git.dirty };
}

/** Records up to the `status` or `files` line, located by the framing alone: every line before it must be `key HEX`. */
function splitRecords(out: string): { records: [string, Buffer][]; tail?: string; status: string | undefined } {
  const records: [string, Buffer][] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf('\n', at);
    if (end === -1) throw new Error(`facts output: record ${records.length + 1} is not ended by a newline`);
    const line = out.slice(at, end);
    at = end + 1;
    if (line === 'status' || line === 'files') return { records, tail: line, status: out.slice(at) };
    // the line itself is not quoted: whatever broke the framing may be bytes of a file runner must not show
    const m = /^([a-z]+) ((?:[0-9a-f]{2})*)$/.exec(line);
    if (!m) throw new Error(`facts output: record ${records.length + 1} is not "key HEX"`);
    records.push([m[1] as string, Buffer.from(m[2] as string, 'hex')]);
  }
  return { records, status: undefined };
}

function capped(value: Buffer, what: string): Buffer {
  if (value.length > CONFIG_CAP)
    throw new Error(`${what} is larger than ${CONFIG_CAP / 1024} KiB; runner reads no more`);
  return value;
}
