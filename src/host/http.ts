/** Controller-side HTTP GET for feeds and image ids: a non-2xx status, a timeout or a dead server is an error. */
export async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' }).catch((err: Error) => {
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000}s` : describeFetchError(err);
    throw new Error(`GET ${url}: ${why}`);
  });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${res.statusText}`);
  return res.text().catch((err: Error) => {
    throw new Error(`GET ${url}: ${err.name === 'TimeoutError' ? `body not complete within ${timeoutMs / 1000}s` : err.message}`);
  });
}

function describeFetchError(err: Error): string {
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return cause?.message ? `${err.message}: ${cause.message}` : err.message;
}

/** One fetch per URL per run, shared by every host of an audit. */
export function cachedFetch(fetcher: typeof fetchText = fetchText): typeof fetchText {
  const cache = new Map<string, Promise<string>>();
  return (url, timeoutMs) => {
    let hit = cache.get(url);
    if (!hit) cache.set(url, (hit = fetcher(url, timeoutMs)));
    return hit;
  };
}
