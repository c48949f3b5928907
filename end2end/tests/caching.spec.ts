import { expect, test } from '@playwright/test';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The size of the release build's WebAssembly files at `urls`, as built, before compression. */
function rawWasmBytes(urls: string[]): number {
  const pkg = join(__dirname, '..', '..', 'target', 'site', 'pkg');
  const built = new Set(readdirSync(pkg));
  return urls
    .map((url) => new URL(url).pathname.split('/').pop()!)
    .filter((file) => built.has(file))
    .reduce((sum, file) => sum + statSync(join(pkg, file)).size, 0);
}

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

test('a phone downloads the WebAssembly once, compressed, and takes it from its cache after', async ({ page, context }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const wasm = new Map<string, { url: string; encoding: string; cacheControl: string; fromCache: boolean }>();
  const received = new Map<string, number>();
  cdp.on('Network.responseReceived', (event) => {
    if (!event.response.url.endsWith('.wasm')) return;
    const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    wasm.set(event.requestId, {
      url: event.response.url,
      encoding: headers['content-encoding'] ?? 'none',
      cacheControl: headers['cache-control'] ?? '',
      fromCache: Boolean(event.response.fromDiskCache || event.response.fromPrefetchCache),
    });
  });
  cdp.on('Network.loadingFinished', (event) => {
    if (wasm.has(event.requestId)) received.set(event.requestId, event.encodedDataLength);
  });
  const visit = async () => {
    wasm.clear();
    received.clear();
    await page.goto('/login');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect.poll(() => received.size).toBeGreaterThan(0);
    return {
      bytes: [...received.values()].reduce((a, b) => a + b, 0),
      urls: [...wasm.values()].map((w) => w.url),
      response: [...wasm.values()][0],
    };
  };

  const first = await visit();
  const second = await visit();
  // Every part the page fetched (the sign-in page needs the main part and the rep's screens').
  const raw = rawWasmBytes(first.urls);
  console.log(
    `wasm: ${raw} B built; first visit ${first.bytes} B over the wire (${first.response.encoding}); ` +
      `second visit ${second.bytes} B`,
  );
  expect(['br', 'gzip']).toContain(first.response.encoding);
  expect(raw).toBeGreaterThan(0);
  expect(first.bytes).toBeLessThan(raw / 2);
  expect(first.response.cacheControl).toBe('public, max-age=31536000, immutable');
  expect(second.bytes, 'the second visit takes the wasm from the cache').toBeLessThan(1024);
});
