import { imageFingerprint } from './fingerprint.js';
import { formatDuration } from '../../core/units.js';
import { RunnerError } from '../../core/errors.js';
import type { Check, Context, Finding, ReadHost } from '../../core/types.js';
import { pickId } from './parse.js';
import { ImageOptions, type ImagePlan, type Source } from './schema.js';

/** No fix in place: drift is `failed` with `halt: true`, and the daemon recycles the machine. */
export const image: Check<ImageOptions, ImagePlan> = {
  id: 'image',
  summary: "compares this machine's image id with the wanted one; a different image means recycling the machine",
  options: ImageOptions,
  recycle: true,
  async probe(host, opts, ctx): Promise<Finding<ImagePlan>> {
    const [current, wanted] = await Promise.all([
      readId(host, opts.current, opts.timeout, ctx, 'current'),
      readId(host, opts.wanted, opts.timeout, ctx, 'wanted'),
    ]);
    if (current.id === wanted.id) return { state: 'ok', summary: `image ${current.id} is the wanted one` };
    const plan = { current: current.id, wanted: wanted.id, from: { current: current.from, wanted: wanted.from } };
    return { state: 'drift', summary: `image is ${current.id}, wanted ${wanted.id}: recycle this machine`, plan };
  },
  fingerprint: imageFingerprint,
  explain(plan) {
    return [
      `- current ${plan.current} (${plan.from.current})`,
      `- wanted  ${plan.wanted} (${plan.from.wanted})`,
      '- no fix in place: recycle this machine',
    ];
  },
};

async function readId(host: ReadHost, src: Source, timeoutMs: number, ctx: Context, which: 'current' | 'wanted') {
  const from = describeSource(src);
  const text = await readText(host, src, timeoutMs, ctx, which).catch((err: Error) => {
    throw new RunnerError(`reading the ${which} image id from ${from}: ${err.message}`);
  });
  return { id: pickId(text, src.field, `the ${which} image id from ${from}`), from };
}

async function readText(
  host: ReadHost,
  src: Source,
  timeoutMs: number,
  ctx: Context,
  which: 'current' | 'wanted',
): Promise<string> {
  if (src.file !== undefined) {
    const text = await host.readFile(src.file);
    if (text === null) throw new Error('no such file');
    return text;
  }
  if (src.url !== undefined && which === 'wanted') return ctx.fetchText(src.url, timeoutMs);
  // the current image's URL (a metadata service) only answers the machine itself
  const [file, ...args] = src.url !== undefined ? curlArgv(src.url, timeoutMs) : (src.command as string[]);
  const r = await host.run(file as string, args, { timeoutMs });
  if (r.timedOut) throw new Error(`no answer within ${formatDuration(timeoutMs)}`);
  if (r.exitCode !== 0)
    throw new Error(
      `'${[file, ...args].join(' ')}' exited ${r.exitCode ?? '(killed)'}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  return r.stdout;
}

function curlArgv(url: string, timeoutMs: number): string[] {
  return [
    'curl',
    '--silent',
    '--show-error',
    '--fail',
    '--location',
    '--max-time',
    String(Math.ceil(timeoutMs / 1000)),
    '--',
    url,
  ];
}

function describeSource(src: Source): string {
  if (src.file !== undefined) return `file ${src.file}`;
  if (src.url !== undefined) return `url ${src.url}`;
  return `command ${(src.command as string[]).join(' ')}`;
}
