/** The largest body runner reads: a feed or an image id is far smaller; past this it is an error, not memory. */
export const MAX_BODY = 32 * 1024 * 1024;

/**
 * Controller-side HTTP GET for feeds and image ids: a non-2xx status, a timeout, a dead server or a body
 * larger than `maxBytes` (by Content-Length up front, or counted as it streams) is an error.
 */
export async function fetchText(url: string, timeoutMs: number, maxBytes = MAX_BODY): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' }).catch((err: Error) => {
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : describeFetchError(err);
    throw new Error(`GET ${url}: ${why}`);
  });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`GET ${url}: HTTP ${res.status} ${res.statusText}`);
  }
  const tooLarge = () => new Error(`GET ${url}: body larger than ${maxBytes} bytes`);
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const body = await readCapped(res, maxBytes).catch((err: Error) => {
    throw new Error(
      `GET ${url}: ${err.name === 'TimeoutError' ? `body not complete within ${timeoutMs / 1000}s` : err.message}`,
    );
  });
  if (body === undefined) throw tooLarge();
  // as Response.text(): UTF-8, a BOM dropped, bad bytes replaced
  return new TextDecoder().decode(body);
}

/** The body's bytes, or undefined (and the download stopped) once it passes `maxBytes`. */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer | undefined> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

function describeFetchError(err: Error): string {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

/** One fetch per URL per run, shared by every host of an audit. */
export function cachedFetch(fetcher: typeof fetchText = fetchText): typeof fetchText {
  const cache = new Map<string, Promise<string>>();
  return (url, timeoutMs, maxBytes) => {
    let hit = cache.get(url);
    if (!hit) cache.set(url, (hit = fetcher(url, timeoutMs, maxBytes)));
    return hit;
  };
}
