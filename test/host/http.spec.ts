import { beforeAll, describe, expect, it } from 'vitest';
import { cachedFetch, fetchText } from '../../src/host/http.js';
import { httpServer } from '../helpers/http.js';

let url: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  url = await httpServer((req, res) => {
    const path = req.url ?? '';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const size = Number(path.split('/')[2]);
    if (path.startsWith('/declared/')) {
      res.writeHead(200, { 'content-length': String(size) });
      return res.end('x'.repeat(size));
    }
    // chunked, no Content-Length: only counting the body can stop it
    res.writeHead(200);
    const step = size > 10_000 ? 65_536 : 100;
    for (let sent = 0; sent < size; sent += step) res.write('y'.repeat(Math.min(step, size - sent)));
    res.end();
  });
});

describe('fetchText caps the body', () => {
  it('reads a streamed body of exactly the cap, and refuses one byte more', async () => {
    expect(await fetchText(`${url}/streamed/1000`, 5000, 1000)).toBe('y'.repeat(1000));
    await expect(fetchText(`${url}/streamed/1001`, 5000, 1000)).rejects.toThrow(
      `GET ${url}/streamed/1001: body larger than 1000 bytes`,
    );
  });

  it('refuses a body whose Content-Length passes the cap before reading it', async () => {
    await expect(fetchText(`${url}/declared/1001`, 5000, 1000)).rejects.toThrow(
      `GET ${url}/declared/1001: body larger than 1000 bytes`,
    );
    expect(await fetchText(`${url}/declared/1000`, 5000, 1000)).toBe('x'.repeat(1000));
  });

  it('caps at 32 MiB by default', async () => {
    await expect(fetchText(`${url}/streamed/${32 * 1024 * 1024 + 1}`, 30_000)).rejects.toThrow(
      'body larger than 33554432 bytes',
    );
  });

  it('cachedFetch fetches each URL once, its failure included', async () => {
    const fetch = cachedFetch();
    const ok = `${url}/streamed/10`;
    const big = `${url}/streamed/${64 * 1024 * 1024}`;
    expect(await Promise.all([fetch(ok, 5000), fetch(ok, 5000)])).toEqual(['y'.repeat(10), 'y'.repeat(10)]);
    for (let i = 0; i < 2; i++) await expect(fetch(big, 30_000)).rejects.toThrow('body larger than');
    expect([hits.get('/streamed/10'), hits.get(`/streamed/${64 * 1024 * 1024}`)]).toEqual([1, 1]);
  });
});
