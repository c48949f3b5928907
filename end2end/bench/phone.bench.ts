import { Browser, BrowserContext, CDPSession, expect, Page, test } from '@playwright/test';
import { demo } from '../tests/support';

// A rep's phone on a weak signal: Chrome's "Fast 3G" preset (1.44 Mbit/s down, 675 kbit/s up,
// 562.5 ms round trip) and a CPU four times slower, on a 360×740 screen. For the queue and a
// lead page, cold (nothing cached) and warm (the same phone coming back), it prints the bytes
// transferred, first contentful paint, and when a "Log call" tap reaches the app (the page has
// hydrated: its handlers are attached).
const FAST_3G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
  uploadThroughput: (750 * 1024 * 0.9) / 8,
};
const CPU_SLOWDOWN = 4;
const PHONE = { width: 360, height: 740 };
const TARGET = { readableMs: 1500, workingMs: 3000 };

interface Figures {
  bytes: number;
  fcp: number;
  working: number;
}

function demoLogin(): { email: string; password: string } {
  const { logins, password } = demo('.run-bench');
  const rep = logins.find((login) => login.role === 'rep');
  if (!rep) throw new Error('the demo has no rep');
  return { email: rep.email, password };
}

async function signedInContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const { email, password } = demoLogin();
  // Signed in over the API: the browser's cache stays empty for the cold visit.
  const answer = await context.request.post('/api/auth/login', {
    form: { email, password },
    headers: { Origin: baseURL },
  });
  expect(answer.ok()).toBe(true);
  return context;
}

async function throttled(page: Page): Promise<{ cdp: CDPSession; bytes: () => number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let total = 0;
  cdp.on('Network.loadingFinished', (event) => {
    total += event.encodedDataLength;
  });
  return { cdp, bytes: () => total };
}

async function visit(
  page: Page,
  path: string,
  control: string,
  bytes: () => number,
): Promise<Figures> {
  const before = bytes();
  await page.goto(path, { waitUntil: 'load' });
  await expect(page.locator('body[data-hydrated-at]')).toBeAttached({ timeout: 120_000 });
  await expect(page.getByTestId(control).first()).toBeVisible();
  // Late requests (the live stream is long-lived and never "finishes") settle first.
  await page.waitForTimeout(500);
  const { fcp, working } = await page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      fcp: paint ? paint.startTime : NaN,
      working: Number(document.body.dataset.hydratedAt),
    };
  });
  return { bytes: bytes() - before, fcp, working };
}

function line(label: string, f: Figures): string {
  const kb = (f.bytes / 1024).toFixed(1).padStart(7);
  const verdict =
    f.fcp <= TARGET.readableMs && f.working <= TARGET.workingMs ? 'within target' : 'over target';
  return `${label.padEnd(18)} ${kb} KB  first paint ${Math.round(f.fcp)
    .toString()
    .padStart(5)} ms  Log call works ${Math.round(f.working).toString().padStart(5)} ms  (${verdict})`;
}

test('a rep on a phone over Fast 3G with a 4x slower CPU', async ({ browser, baseURL }) => {
  const results: string[] = [];
  for (const which of ['queue', 'lead'] as const) {
    const context = await signedInContext(browser, baseURL!);
    let path = '/queue';
    if (which === 'lead') {
      const queue = await context.request.post('/api/queue/mine', {
        headers: { Origin: baseURL! },
      });
      const cards = await queue.json();
      path = `/lead/${cards[0].id}`;
    }
    const page = await context.newPage();
    const { bytes } = await throttled(page);
    // The queue's "Log call", or the lead page's first outcome button.
    const control = which === 'queue' ? 'log-call' : 'outcome-connected';
    const cold = await visit(page, path, control, bytes);
    const warm = await visit(page, path, control, bytes);
    results.push(line(`${which} page, cold`, cold), line(`${which} page, warm`, warm));
    await context.close();
  }
  console.log(
    `\nPhone benchmark (360x740, Fast 3G, CPU ${CPU_SLOWDOWN}x slower; ` +
      `targets: readable < ${TARGET.readableMs} ms, working < ${TARGET.workingMs} ms cold)\n` +
      results.map((r) => `  ${r}`).join('\n'),
  );
});
