import { planOf } from '../../src/core/types.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { image } from '../../src/checks/image/index.js';
import { ImageOptions } from '../../src/checks/image/schema.js';
import { runCheck } from '../../src/core/run-check.js';
import type { Mode, Result } from '../../src/core/types.js';
import { LocalHost } from '../../src/host/local.js';
import { testContext } from '../helpers/context.js';
import { httpServer } from '../helpers/http.js';
import { sandbox } from '../helpers/tmp.js';

const host = new LocalHost();
const T = sandbox('runner-image-');
const idFile = join(T, 'image-id');
let base = '';
let hits = 0;

// a real HTTP server on loopback: /wanted.json (JSON), /metadata/ami-id (plain text), anything else 503
beforeAll(async () => {
  writeFileSync(idFile, 'ami-0123\n');
  base = await httpServer((req, res) => {
    hits += 1;
    if (req.url === '/wanted.json') return void res.end(JSON.stringify({ images: { linux64: { id: 'ami-0456' } } }));
    if (req.url === '/metadata/ami-id') return void res.end('ami-0123');
    res.statusCode = 503;
    res.end('down for maintenance');
  });
});

async function run(mode: Mode, raw: unknown): Promise<Result> {
  return runCheck(host, { check: image, options: ImageOptions.parse(raw) }, testContext(mode));
}

describe('image', () => {
  it('is ok when the ids match (file against a command)', async () => {
    const r = await run('apply', { current: { file: idFile }, wanted: { command: ['printf', 'ami-0123\\n'] } });
    expect(r).toMatchObject({ status: 'ok', summary: 'image ami-0123 is the wanted one' });
  });

  it('a different image is failed with halt, in check and apply mode, naming both ids', async () => {
    const raw = { current: { file: idFile }, wanted: { url: `${base}/wanted.json`, field: 'images.linux64.id' } };
    for (const mode of ['check', 'apply'] as const) {
      const r = await run(mode, raw);
      expect(r).toMatchObject({
        status: 'failed',
        halt: true,
        summary: 'image is ami-0123, wanted ami-0456: recycle this machine',
      });
      expect(planOf(r)).toEqual({
        current: 'ami-0123',
        wanted: 'ami-0456',
        from: { current: `file ${idFile}`, wanted: `url ${base}/wanted.json` },
      });
    }
  });

  it("reads the current id from a URL on the machine itself (curl), the way a cloud's metadata service answers", async () => {
    const before = hits;
    const r = await run('check', { current: { url: `${base}/metadata/ami-id` }, wanted: { file: idFile } });
    expect(r.status).toBe('ok');
    expect(hits).toBe(before + 1);
  });

  it('an unreachable wanted id is failed without halt', async () => {
    const r = await run('check', { current: { file: idFile }, wanted: { url: `${base}/down`, field: 'id' } });
    expect(r.status).toBe('failed');
    expect(r.status === 'failed' && r.halt).toBeUndefined();
    expect(r.summary).toContain(`reading the wanted image id from url ${base}/down: GET ${base}/down: HTTP 503`);
  });

  it.each([
    [
      { current: { file: join(T, 'missing') }, wanted: { file: idFile } },
      `reading the current image id from file ${join(T, 'missing')}: no such file`,
    ],
    [{ current: { command: ['false'] }, wanted: { file: idFile } }, "'false' exited 1"],
    [
      { current: { file: idFile }, wanted: { command: ['echo', '{"id": 7}'], field: 'image' } },
      'has no string or number at image',
    ],
    [{ current: { file: idFile }, wanted: { command: ['true'] } }, 'the wanted image id from command true is empty'],
  ])('a source that gives no id is failed without halt: %j', async (raw, message) => {
    const r = await run('check', raw);
    expect(r.status).toBe('failed');
    expect(r.status === 'failed' && r.halt).toBeUndefined();
    expect(r.summary).toContain(message);
  });

  it('rejects a source with two kinds, or none', () => {
    for (const current of [{ file: idFile, url: `${base}/x` }, {}]) {
      const parsed = ImageOptions.safeParse({ current, wanted: { file: idFile } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('give exactly one of file, command and url');
    }
  });
});
