import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, expect, Page, request as requests, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

// A rep's phone: 360×740, touch.
test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, timezoneId: 'UTC' });

/** Noon (inside calling hours) on the day `hours` ahead of the server's clock (tests elsewhere
 * move it forward), as a phone's date-and-time picker gives it (the phone's time is UTC here, as
 * the team's). */
async function serverAhead(request: APIRequestContext, hours: number): Promise<{ picked: string; hhmm: string }> {
  const answer = await request.post('/test/clock', { data: { minutes: 0 }, headers: { Connection: 'close' } });
  const now = new Date((await answer.json()).now);
  const at = new Date(now.getTime() + hours * 3600 * 1000);
  at.setUTCHours(12, 0, 0, 0);
  const iso = at.toISOString();
  return { picked: iso.slice(0, 16), hhmm: iso.slice(11, 16) };
}

const BASE = 'http://127.0.0.1:3100';

/** An API client signed in as `email`, posting like the app's own pages. */
async function signedIn(email: string): Promise<APIRequestContext> {
  const api = await requests.newContext({ baseURL: BASE, extraHTTPHeaders: { Origin: BASE } });
  const answer = await api.post('/api/auth/login', { form: { email, password: demo().password } });
  expect(answer.ok()).toBe(true);
  return api;
}

/** A demo rep holding no hot lead (earlier journeys hand some back hot), with their API. */
async function repWithoutHotLeads(): Promise<{ email: string; name: string; api: APIRequestContext }> {
  for (const login of demo().logins.filter((l) => l.role === 'rep')) {
    const api = await signedIn(login.email);
    const queue = await (await api.post('/api/queue/mine')).json();
    if (!queue.some((card: { stage: string }) => card.stage === 'hot')) return { ...login, api };
    await api.dispose();
  }
  throw new Error('every demo rep holds a hot lead');
}

/** A new inquiry from a unique person, owned by `rep` (handed over by a manager if routing gave
 * it to someone else). */
async function leadFor(
  request: APIRequestContext,
  rep: { name: string },
  prefix: string,
  phone: string,
  more: Record<string, string> = {},
): Promise<{ id: string; name: string }> {
  const who = { ...person(prefix), phone, ...more };
  const lead = await postLead(request, who);
  if (lead.owner.name !== rep.name) {
    const max = await signedIn(demo().logins.find((l) => l.role === 'manager')!.email);
    const detail = await (await max.post('/api/lead/detail', { form: { lead_id: lead.id } })).json();
    const to = detail.reps.find((r: { label: string }) => r.label.startsWith(rep.name));
    const moved = await max.post('/api/lead/reassign', { form: { lead_ids: lead.id, to: to.id, reason: 'Test' } });
    expect(moved.ok(), await moved.text()).toBe(true);
    await max.dispose();
  }
  return { id: lead.id, name: who.name };
}

/** Every card of the queue on the screen, not only the first twenty. */
async function showAllCards(page: Page): Promise<void> {
  const more = page.getByTestId('show-more');
  for (let tries = 0; tries < 10 && (await more.count()) > 0; tries++) {
    // The list may redraw meanwhile (the button then goes, or says another count).
    await more.click({ timeout: 2_000 }).catch(() => {});
  }
}

/** How many touches a lead of the rep's queue has. */
async function touches(api: APIRequestContext, leadId: string): Promise<number> {
  const queue = await (await api.post('/api/queue/mine')).json();
  return queue.find((c: { id: string }) => c.id === leadId).touch_count;
}

/** Serious or critical accessibility problems axe-core finds on the page as it stands. */
async function seriousProblems(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

/** Taps smaller than 44 px, and whether the page scrolls sideways. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth) {
      problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px wide`);
    }
    const taps = document.querySelectorAll('main a[href], main button, main summary, main select, main input:not([type=hidden])');
    for (const el of Array.from(taps)) {
      // A tick box is tapped through its label, which is the target that counts.
      const target = el.matches('input[type=checkbox], input[type=radio]') ? el.closest('label') ?? el : el;
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown (a closed fold)
      if (box.height < 44 || box.width < 44) {
        problems.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}" is ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return problems;
  });
}

test('the newest inquiry is the first card on the first screen, even under ten alerts', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const max = await signedIn(demo().logins.find((l) => l.role === 'manager')!.email);
  // Ten leads handed to the rep by a manager: ten "call now" alerts.
  const handed: string[] = [];
  for (let i = 0; i < 10; i++) {
    const lead = await postLead(request, { ...person('Handed'), phone: `+1 415 555 02${10 + i}` });
    if (lead.owner.name !== rep.name) handed.push(lead.id);
  }
  const detail = await (await max.post('/api/lead/detail', { form: { lead_id: handed[0] } })).json();
  const to = detail.reps.find((r: { label: string }) => r.label.startsWith(rep.name));
  const moved = await max.post('/api/lead/reassign', {
    form: { lead_ids: handed.join(','), to: to.id, reason: 'Covering the phones today' },
  });
  expect(moved.ok(), await moved.text()).toBe(true);
  // Then a brand-new web inquiry, which goes to whoever is next; the rep gets it too.
  const fresh = { ...person('Fresh'), phone: '+1 415 555 0229' };
  const lead = await postLead(request, fresh);
  if (lead.owner.name !== rep.name) {
    const again = await max.post('/api/lead/reassign', {
      form: { lead_ids: lead.id, to: to.id, reason: 'Covering the phones today' },
    });
    expect(again.ok()).toBe(true);
  }

  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const count = Number((await page.getByTestId('alert-count').innerText()).split(' ')[0]);
  expect(count).toBeGreaterThanOrEqual(10);
  const first = page.getByTestId('lead-card').first();
  await expect(first).toContainText(fresh.name);
  await expect.poll(async () => ((await first.boundingBox())?.y ?? Infinity) + 60).toBeLessThan(740);
  await expect(page).toHaveTitle('My queue · Leadline');
  await page.screenshot({ path: 'screenshots/phone-queue-alerts.png' });
  expect(await layoutProblems(page)).toEqual([]);
  expect(await seriousProblems(page)).toEqual([]);
  // Finding a lead by its phone, typed the way people say it; its readable number on the card.
  await page.getByTestId('queue-search').fill('(415) 555-0229');
  await expect(page.getByTestId('lead-card').filter({ visible: true })).toHaveCount(1);
  await expect(page.getByTestId('lead-card').filter({ visible: true })).toContainText(fresh.name);
  await expect(first.getByTestId('call-link')).toHaveText('Call +1 415-555-0229');
  await page.getByTestId('queue-search').fill('');
  await expect(page.getByTestId('lead-card').filter({ visible: true }).first()).toContainText(fresh.name);
  expect(problems).toEqual([]);
  await rep.api.dispose();
  await max.dispose();
});

test('a second tap after logging lands on nothing, undo takes the call back, and a kept call counts once', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const first = await leadFor(request, rep, 'Undo', '+1 415 555 0231');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const card = page.getByTestId('lead-card').filter({ hasText: first.name });
  await card.getByTestId('log-call').click();
  const busy = card.getByTestId('outcome-busy');
  // The opened panel scrolls into sight whole: its outcomes are on the screen to tap.
  await expect(busy).toBeInViewport();
  const spot = (await busy.boundingBox())!;
  // Two quick taps on the same spot: the first logs "Busy", the second lands on nothing.
  await page.touchscreen.tap(spot.x + spot.width / 2, spot.y + spot.height / 2);
  await page.touchscreen.tap(spot.x + spot.width / 2, spot.y + spot.height / 2);
  await expect(card.getByTestId('call-status')).toContainText('Logged: Busy');
  const undo = card.getByTestId('undo');
  await expect(undo).toBeEnabled();
  await undo.click();
  await expect(card.getByTestId('call-status')).toHaveText('');
  await expect(card.getByTestId('log-call')).toContainText('Log call');
  // Nothing was sent: the lead still waits for its first call.
  await page.waitForTimeout(6_000);
  let queue = await (await rep.api.post('/api/queue/mine')).json();
  let mine = queue.find((c: { id: string }) => c.id === first.id);
  expect(mine.touch_count).toBe(0);
  // Logged and left alone, it is sent once, then the list moves on.
  await card.getByTestId('outcome-no_answer').click();
  await expect(card.getByTestId('call-status')).toHaveText(/^Saved: No answer/, { timeout: 15_000 });
  queue = await (await rep.api.post('/api/queue/mine')).json();
  mine = queue.find((c: { id: string }) => c.id === first.id);
  expect(mine.touch_count).toBe(1);
  expect(mine.last_touch).toContain('No answer');
  // Due later now, the lead may have moved below the first twenty cards.
  await showAllCards(page);
  await expect(page.getByTestId('lead-card').filter({ hasText: first.name }).getByTestId('last-touch')).toContainText('No answer', { timeout: 10_000 });
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('the lead page on a phone: readable, reachable, titled, and the app can be installed', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const queue = await (await rep.api.post('/api/queue/mine')).json();
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto(`/lead/${queue[0].id}`);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page).toHaveTitle('Lead · Leadline');
  // Its styles came inside the page (a phone paints without fetching a stylesheet first), and
  // the page's policy let them apply: the top bar has its colour.
  expect(await page.locator('link[rel="stylesheet"]').count()).toBe(0);
  expect(await page.locator('head style#leptos').count()).toBe(1);
  const bar = await page.locator('header.topbar').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bar).not.toBe('rgba(0, 0, 0, 0)');
  expect(await layoutProblems(page)).toEqual([]);
  expect(await seriousProblems(page)).toEqual([]);
  // The web app manifest: valid JSON, opens full screen on the queue, icons that exist.
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await request.get(href!)).json();
  expect(manifest.start_url).toBe('/queue');
  expect(manifest.display).toBe('standalone');
  expect(manifest.name).toBe('Leadline');
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of manifest.icons) {
    const answer = await request.get(icon.src);
    expect(answer.status()).toBe(200);
    expect(answer.headers()['content-type']).toBe(icon.type);
  }
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('after a saved call the list re-orders, and the card that slides under the finger is closed', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  // Two new inquiries: the newer one tops the queue, the other comes second.
  const second = await leadFor(request, rep, 'Slide', '+1 415 555 0232');
  const first = await leadFor(request, rep, 'Tapped', '+1 415 555 0233');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const cards = page.getByTestId('lead-card');
  await expect(cards.nth(0)).toContainText(first.name);
  await expect(cards.nth(1)).toContainText(second.name);
  // Both panels open: the second one must not slide up open under the finger.
  await cards.nth(1).getByTestId('log-call').click();
  await cards.nth(0).getByTestId('log-call').click();
  // What the receptionist said, and the time agreed for the next call (the phone's own time).
  await cards.nth(0).getByTestId('call-note').fill('Receptionist: in a meeting, call at ten');
  const callback = await serverAhead(request, 26);
  await cards.nth(0).getByTestId('call-back-at').fill(callback.picked);
  const busy = cards.nth(0).getByTestId('outcome-busy');
  await expect(busy).toBeInViewport();
  const spot = (await busy.boundingBox())!;
  await page.touchscreen.tap(spot.x + spot.width / 2, spot.y + spot.height / 2);
  await expect(cards.nth(0).getByTestId('call-status')).toHaveText(/^Saved: Busy/, { timeout: 15_000 });
  const detail = await (await rep.api.post('/api/lead/detail', { form: { lead_id: first.id } })).json();
  expect(JSON.stringify(detail)).toContain('Receptionist: in a meeting, call at ten');
  const queue = await (await rep.api.post('/api/queue/mine')).json();
  expect(queue.find((c: { id: string }) => c.id === first.id).due).toContain(callback.hhmm);
  await expect(page.getByTestId('call-notice')).toHaveCount(0);
  // Called, it waits for its next attempt: the other new inquiry moves up into its place.
  await expect(cards.nth(0)).toContainText(second.name, { timeout: 10_000 });
  await expect(cards.nth(0).getByTestId('outcome-busy')).toBeHidden();
  // The same spot tapped again logs nothing on the lead now there.
  await page.touchscreen.tap(spot.x + spot.width / 2, spot.y + spot.height / 2);
  await page.waitForTimeout(500);
  await expect(page.getByTestId('call-status').filter({ hasText: /Logged/ })).toHaveCount(0);
  await expect(page.getByTestId('lead-card').filter({ hasText: first.name }).getByTestId('outcome-busy')).toBeHidden();
  expect(await touches(rep.api, second.id)).toBe(0);
  expect(await touches(rep.api, first.id)).toBe(1);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('offline: calls wait on the phone, go once when the signal returns, and survive a reload', async ({ page, context, request }) => {
  test.setTimeout(120_000);
  const rep = await repWithoutHotLeads();
  const a = await leadFor(request, rep, 'Offline', '+1 415 555 0234');
  const b = await leadFor(request, rep, 'Offline', '+1 415 555 0235');
  const c = await leadFor(request, rep, 'Reload', '+1 415 555 0236');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  // The service worker takes the page and keeps the app's files.
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          if (!navigator.serviceWorker.controller) return 'no worker yet';
          const loaded = performance
            .getEntriesByType('resource')
            .map((e) => e.name)
            .filter((name) => new URL(name).pathname.startsWith('/pkg/'));
          const files = await caches.open('leadline-files-v1');
          for (const name of loaded) if (!(await files.match(name, { ignoreVary: true }))) return `missing ${name}`;
          if (!(await files.match('/phone.js'))) return 'missing /phone.js';
          return (await (await caches.open('leadline-pages-v1')).match('/queue')) ? 'kept' : 'no queue page';
        }),
      { timeout: 30_000 },
    )
    .toBe('kept');

  await context.setOffline(true);
  await expect(page.getByTestId('offline')).toBeVisible();
  for (const [lead, outcome] of [[a, 'busy'], [b, 'no_answer']] as const) {
    const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
    await card.getByTestId('log-call').click();
    await card.getByTestId(`outcome-${outcome}`).click();
  }
  await expect(page.getByTestId('outbox')).toHaveText(/^2 calls waiting to send/, { timeout: 15_000 });
  await expect(page.getByTestId('lead-card').filter({ hasText: a.name }).getByTestId('call-status')).toHaveText('Logged: Busy · waiting to send');
  expect(await touches(rep.api, a.id)).toBe(0);

  // Offline, a reload still shows the queue, marked with when it was last read.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByTestId('offline')).toHaveText(/^Offline · your queue as of \d\d:\d\d$/);
  await expect(page.getByTestId('lead-card').filter({ hasText: a.name })).toBeVisible();
  await expect(page.getByTestId('outbox')).toHaveText(/^2 calls waiting to send/);

  // The signal returns: both arrive, once each.
  await context.setOffline(false);
  await expect(page.getByTestId('outbox')).toBeHidden({ timeout: 20_000 });
  await expect(page.getByTestId('offline')).toBeHidden();
  await expect.poll(() => touches(rep.api, a.id), { timeout: 10_000 }).toBe(1);
  expect(await touches(rep.api, b.id)).toBe(1);

  // A call logged and the page reloaded inside its undo window: it is not lost, nor doubled.
  const card = page.getByTestId('lead-card').filter({ hasText: c.name });
  await card.getByTestId('log-call').click();
  await card.getByTestId('call-note').fill('Voicemail: asked for a call back after lunch');
  await card.getByTestId('outcome-voicemail').click();
  await expect(card.getByTestId('call-status')).toContainText('Logged: Left voicemail');
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect.poll(() => touches(rep.api, c.id), { timeout: 15_000 }).toBe(1);
  await page.waitForTimeout(2_000);
  expect(await touches(rep.api, c.id)).toBe(1);
  // The call arrived whole, note and all, whichever send got there first.
  const detail = await (await rep.api.post('/api/lead/detail', { form: { lead_id: c.id } })).json();
  expect(JSON.stringify(detail)).toContain('Voicemail: asked for a call back after lunch');
  expect(await touches(rep.api, a.id)).toBe(1);
  expect(await touches(rep.api, b.id)).toBe(1);
  await rep.api.dispose();
});

test('a note being typed on one card keeps its words and the keyboard while another call is sent and the list refreshes', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const second = await leadFor(request, rep, 'Typed', '+1 415 555 0246');
  const first = await leadFor(request, rep, 'Called', '+1 415 555 0247');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const called = page.getByTestId('lead-card').filter({ hasText: first.name });
  const typed = page.getByTestId('lead-card').filter({ hasText: second.name });
  await called.getByTestId('log-call').click();
  await called.getByTestId('outcome-no_answer').click();
  // Straight away, on the next card: a note, typed while the first call goes out.
  await typed.getByTestId('log-call').click();
  const note = typed.getByTestId('call-note');
  await note.click();
  await page.keyboard.type('Asked for a quote ', { delay: 20 });
  await expect(called.getByTestId('call-status')).toHaveText(/^Saved/, { timeout: 15_000 });
  await page.waitForTimeout(3_000);
  await page.keyboard.type('by Friday', { delay: 20 });
  await expect(note).toHaveValue('Asked for a quote by Friday');
  await expect(note).toBeFocused();
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('a change to one lead redraws its card alone: the other cards stay the very same on the screen', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const lead = await leadFor(request, rep, 'Redrawn', '+1 415 555 0248');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  // Every card on the screen (a call can move a lead below the first twenty).
  await showAllCards(page);
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  const next = await card.getByTestId('next-action').innerText();
  // Each card on the screen, marked, with what it says.
  const before: Record<string, string> = await page.$$eval('[data-testid=lead-card]', (cards) =>
    Object.fromEntries(
      cards.map((c) => {
        (c as HTMLElement & { seen?: boolean }).seen = true;
        return [c.getAttribute('data-lead-id'), (c as HTMLElement).innerText];
      }),
    ),
  );
  // The call is logged elsewhere (the rep's other phone): the queue hears of it and re-reads.
  const logged = await rep.api.post('/api/queue/log-call', { form: { lead_id: lead.id, outcome: 'no_answer' } });
  expect(logged.ok(), await logged.text()).toBe(true);
  await expect(card.getByTestId('next-action')).not.toHaveText(next, { timeout: 10_000 });
  const after = await page.$$eval('[data-testid=lead-card]', (cards) =>
    cards.map((c) => ({
      id: c.getAttribute('data-lead-id')!,
      text: (c as HTMLElement).innerText,
      same: Boolean((c as HTMLElement & { seen?: boolean }).seen),
    })),
  );
  // Every card that says what it said is the same element: not rebuilt, so nothing on it moved.
  const unchanged = after.filter((c) => c.id !== lead.id && before[c.id] === c.text);
  expect(unchanged.length).toBeGreaterThan(1);
  expect(unchanged.filter((c) => !c.same).map((c) => c.id)).toEqual([]);
  expect(after.find((c) => c.id === lead.id)?.same).toBe(false);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('a search that finds nothing says so; a surname first still finds; a long message stays short on the card', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const who = await leadFor(request, rep, 'Searched', '+1 415 555 0237', {
    message: 'Please call. '.repeat(700),
    company: 'Großmann & Söhne Élan',
  });
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const card = page.getByTestId('lead-card').filter({ hasText: who.name });
  // (A refresh may rebuild the card whose times moved: measure the one on screen.)
  await expect(card).toBeVisible();
  await expect.poll(async () => (await card.boundingBox())?.height ?? Infinity).toBeLessThan(600);
  const [first, last] = who.name.split(' ');
  await page.getByTestId('queue-search').fill(`${last} ${first}`);
  await expect(page.getByTestId('lead-card').filter({ visible: true })).toHaveCount(1);
  // Typed without accents or the sharp s, as a rep on a phone keyboard would.
  await page.getByTestId('queue-search').fill('grossmann sohne elan');
  await expect(page.getByTestId('lead-card').filter({ visible: true })).toHaveCount(1);
  await page.getByTestId('queue-search').fill('zzqx nobody');
  await expect(page.getByTestId('lead-card').filter({ visible: true })).toHaveCount(0);
  await expect(page.getByTestId('no-match')).toHaveText('No lead in your queue matches “zzqx nobody”.');
  // A word mended in the middle stays where it is typed (the list redraws on each keystroke).
  await page.getByTestId('queue-search').press('Home');
  await page.getByTestId('queue-search').pressSequentially('ab');
  await expect(page.getByTestId('queue-search')).toHaveValue('abzzqx nobody');
  // A long unbroken search wraps in its message: the page never scrolls sideways.
  await page.getByTestId('queue-search').fill('x'.repeat(300));
  await expect(page.getByTestId('no-match')).toBeVisible();
  expect(await layoutProblems(page)).toEqual([]);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('a full queue shows its first twenty cards and more on a tap; a search finds a lead beyond them', async ({ page, request }) => {
  test.setTimeout(90_000);
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  // More leads than the queue shows at once.
  let held = (await (await rep.api.post('/api/queue/mine')).json()).length;
  for (let n = 0; held < 24; n++, held++) {
    await leadFor(request, rep, 'Queued', `+1 415 555 ${String(251 + n).padStart(4, '0')}`);
  }
  const queue: { name: string }[] = await (await rep.api.post('/api/queue/mine')).json();
  const left = queue.length - 20;
  expect(left).toBeGreaterThan(3);
  const beyond = queue[queue.length - 1];
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const cards = page.getByTestId('lead-card');
  await expect(cards).toHaveCount(20);
  await expect(page.getByTestId('queue-summary')).toContainText(`${queue.length} open`);
  await expect(page.getByTestId('show-more')).toHaveText(`Show ${Math.min(20, left)} more (${left} not shown)`);
  await expect(cards.filter({ hasText: beyond.name })).toHaveCount(0);
  // The search looks through every lead, not only the cards on the screen.
  await page.getByTestId('queue-search').fill(beyond.name);
  await expect(cards.filter({ hasText: beyond.name })).toBeVisible();
  await expect(page.getByTestId('show-more')).toHaveCount(0);
  await expect(page.getByTestId('queue-search')).toBeFocused();
  await page.getByTestId('queue-search').fill('');
  await expect(cards).toHaveCount(20);
  await page.getByTestId('show-more').click();
  await expect(cards).toHaveCount(Math.min(queue.length, 40));
  await expect(cards.filter({ hasText: beyond.name })).toBeVisible();
  expect(await layoutProblems(page)).toEqual([]);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('a lead reassigned away while a note is typed on it: the rep is told, with the words of the note', async ({ page, request }) => {
  test.setTimeout(60_000);
  const problems = watchConsole(page);
  const rep = await repWithoutHotLeads();
  const lead = await leadFor(request, rep, 'Moved', '+1 415 555 0250');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  await card.getByTestId('log-call').click();
  await card.getByTestId('call-note').fill('Promised a quote by Friday');
  await page.getByTestId('queue-summary').click();
  // A manager gives the lead to another rep meanwhile.
  const max = await signedIn(demo().logins.find((l) => l.role === 'manager')!.email);
  const detail = await (await max.post('/api/lead/detail', { form: { lead_id: lead.id } })).json();
  const other = detail.reps.find((r: { label: string }) => !r.label.startsWith(rep.name));
  const moved = await max.post('/api/lead/reassign', { form: { lead_ids: lead.id, to: other.id, reason: 'Covering' } });
  expect(moved.ok(), await moved.text()).toBe(true);
  await max.dispose();
  await expect(page.getByTestId('call-notice')).toContainText(
    `${lead.name} is no longer in your queue (reassigned or closed), so nothing was logged. Your note: “Promised a quote by Friday”`,
    { timeout: 30_000 },
  );
  await expect(card).toHaveCount(0);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('a rep adds a person met at a fair: a bad phone is refused beside its field, then the lead is theirs with the meeting logged', async ({ page }) => {
  const problems = watchConsole(page, 422);
  const rep = await repWithoutHotLeads();
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByTestId('add-met').click();
  await expect(page).toHaveURL(/\/met$/);
  await expect(page).toHaveTitle('Add a lead you met · Leadline');
  const who = person('Fair');
  await page.getByTestId('met-name').fill(who.name);
  await page.getByTestId('met-phone').fill('12');
  await page.getByTestId('met-note').fill('Met at the <b>trade fair</b>: wants two ovens');
  await page.getByTestId('met-submit').click();
  await expect(page.getByTestId('error-phone')).toContainText('Phone');
  await expect(page.getByTestId('met-saved')).toHaveCount(0);
  await page.getByTestId('met-phone').fill('+1 415 555 0238');
  await page.getByTestId('met-submit').click();
  await expect(page.getByTestId('met-saved')).toHaveText('Saved: the lead is in your queue, with the meeting logged.');
  expect(await layoutProblems(page)).toEqual([]);
  await page.getByTestId('met-open').click();
  await expect(page.getByRole('heading', { name: who.name })).toBeVisible();
  await expect(page.locator('main')).toContainText('Met at the <b>trade fair</b>: wants two ovens');
  const queue = await (await rep.api.post('/api/queue/mine')).json();
  const card = queue.find((c: { name: string }) => c.name === who.name);
  expect(card.source).toBe('In person');
  expect(card.touch_count).toBe(1);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

test('with the signal on and the page out of sight, a new lead brings a notification that links to it', async ({ page, context, request }) => {
  const rep = await repWithoutHotLeads();
  await context.grantPermissions(['notifications'], { origin: BASE });
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 20_000 });
  const toggle = page.getByTestId('signal-toggle');
  if (!(await toggle.isChecked())) await toggle.check();
  // The rep switches to another app: the page is out of sight.
  await page.evaluate(() => Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true }));
  const lead = await leadFor(request, rep, 'Notified', '+1 415 555 0239');
  const shown = () =>
    page.evaluate(async () => {
      const all = await (await navigator.serviceWorker.ready).getNotifications();
      return all.map((n) => ({ title: n.title, body: n.body, url: n.data.url }));
    });
  await expect.poll(shown, { timeout: 15_000 }).not.toEqual([]);
  const notes = await shown();
  expect(notes).toContainEqual({ title: 'New lead to call', body: lead.name, url: `/lead/${lead.id}` });
  await rep.api.dispose();
});

test('a callback the rules refuse does not lose the call: it is saved without it, and the rep is told why', async ({ page, request }) => {
  const problems = watchConsole(page, 409);
  const rep = await repWithoutHotLeads();
  const lead = await leadFor(request, rep, 'Later', '+1 415 555 0240');
  await new LoginPage(page).signIn(rep.email, demo().password);
  await page.goto('/queue');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  await card.getByTestId('log-call').click();
  await card.getByTestId('call-note').fill('Asked to be called in spring');
  // Two months ahead: beyond the cadence of a lead nobody has talked to yet.
  await card.getByTestId('call-back-at').fill((await serverAhead(request, 60 * 24)).picked);
  await card.getByTestId('outcome-no_answer').click();
  await expect(page.getByTestId('call-notice')).toContainText(`No answer for ${lead.name} is saved, but not its callback time`, { timeout: 15_000 });
  await expect(page.getByTestId('call-notice')).toContainText('within the cadence');
  expect(await touches(rep.api, lead.id)).toBe(1);
  const detail = await (await rep.api.post('/api/lead/detail', { form: { lead_id: lead.id } })).json();
  expect(JSON.stringify(detail)).toContain('Asked to be called in spring');
  expect(problems).toEqual([]);
  await rep.api.dispose();
});

/** The demo rep with the fewest open leads, with their API (before the app works, "Show more"
 * and the search do not: a new lead must be among the first twenty cards, see `newCardOf`). */
async function repWithShortestQueue(): Promise<{ email: string; name: string; api: APIRequestContext }> {
  let best: { email: string; name: string; api: APIRequestContext; held: number } | null = null;
  for (const login of demo().logins.filter((l) => l.role === 'rep')) {
    const api = await signedIn(login.email);
    const held = (await (await api.post('/api/queue/mine')).json()).length;
    if (!best || held < best.held) {
      await best?.api.dispose();
      best = { ...login, api, held };
    } else {
      await api.dispose();
    }
  }
  if (!best) throw new Error('the demo has no rep');
  return best;
}

/** A new lead for `rep`, checked to be among the first twenty cards of their queue. */
async function newCardOf(
  request: APIRequestContext,
  rep: { name: string; api: APIRequestContext },
  prefix: string,
  phone: string,
): Promise<{ id: string; name: string }> {
  const lead = await leadFor(request, rep, prefix, phone);
  const queue: { id: string }[] = await (await rep.api.post('/api/queue/mine')).json();
  expect(queue.findIndex((card) => card.id === lead.id)).toBeLessThan(20);
  return lead;
}

/** Signs the page's browser in without loading a page (so nothing of the app is cached yet). */
async function signInQuietly(page: Page, email: string): Promise<void> {
  const answer = await page.request.post('/api/auth/login', {
    form: { email, password: demo().password },
    headers: { Origin: BASE },
  });
  expect(answer.ok()).toBe(true);
}

/** A lead's touches (calls, meetings …) with their notes, as its page lists them. */
async function touchesOf(api: APIRequestContext, leadId: string): Promise<{ what: string; detail: string }[]> {
  const detail = await (await api.post('/api/lead/detail', { form: { lead_id: leadId } })).json();
  return detail.touches;
}

test.describe('with no app at all', () => {
// The service worker would fetch the app around the weak signal: this phone has none.
test.use({ serviceWorkers: 'block' });

test('before the app arrives, a call logged on a card is saved once, the queue says so, and the app keeps the notice', async ({ page, request }) => {
  const rep = await repWithShortestQueue();
  const lead = await newCardOf(request, rep, 'Early', '+1 415 555 0280');
  // A signal too weak for the app's download: the page stays as the server drew it until the
  // signal comes back at the end.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue().catch(() => {});
  });
  await signInQuietly(page, rep.email);
  await page.goto('/queue', { waitUntil: 'commit' });
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  await card.getByTestId('log-call').tap();
  await card.getByTestId('call-note').fill('Asked for a quote <b>today</b>');
  await card.getByTestId('outcome-no_answer').tap();
  await expect(page.getByTestId('call-notice')).toContainText(`Saved: No answer on ${lead.name}.`);
  // Told once: the address no longer carries it, so a reload would not tell it again.
  await expect(page).toHaveURL(/\/queue$/);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
  expect(await touches(rep.api, lead.id)).toBe(1);
  const calls = (await touchesOf(rep.api, lead.id)).filter((line) => line.detail.includes('Asked for a quote'));
  expect(calls).toHaveLength(1);
  expect(calls[0].what).toContain('No answer');
  expect(calls[0].detail).toContain('<b>today</b>');
  // The signal comes back: the app takes the page over and keeps the notice (its OK now works).
  release();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached({ timeout: 30_000 });
  const notice = page.getByTestId('call-notice');
  await expect(notice).toContainText(`Saved: No answer on ${lead.name}.`);
  await notice.getByRole('button', { name: 'OK' }).tap();
  await expect(notice).toHaveCount(0);
  expect(await touches(rep.api, lead.id)).toBe(1);
  await rep.api.dispose();
});

test('before the app arrives, a refused call gives the rep their note back, on the card and in the notice', async ({ page, request }) => {
  const rep = await repWithShortestQueue();
  const lead = await newCardOf(request, rep, 'Refused', '+1 415 555 0282');
  await page.route(/\.wasm$/, (route) => route.abort());
  await signInQuietly(page, rep.email);
  await page.goto('/queue');
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  await card.getByTestId('log-call').tap();
  await card.getByTestId('call-note').fill('Wants the price list');
  // A callback time already past: the server refuses the call.
  await card.getByTestId('call-back-at').fill('2020-01-01T10:00');
  await card.getByTestId('outcome-connected').tap();
  const notice = page.getByTestId('call-notice');
  await expect(notice).toContainText('The call was not logged: ');
  await expect(notice).toContainText(`(Connected for ${lead.name}) Your note: “Wants the price list”`);
  // The words are back on the card, its panel open, ready to send again.
  await expect(card.getByTestId('call-note')).toHaveValue('Wants the price list');
  await expect(card.getByTestId('outcome-connected')).toBeVisible();
  expect(await touches(rep.api, lead.id)).toBe(0);
  // "OK" works before the app too.
  await notice.getByRole('button', { name: 'OK' }).tap();
  await expect(notice).toHaveCount(0);
  await rep.api.dispose();
});
});

test('a panel opened and a note typed before the app arrives stay open and typed as it takes over', async ({ page, request }) => {
  const problems = watchConsole(page);
  const rep = await repWithShortestQueue();
  const lead = await newCardOf(request, rep, 'Held', '+1 415 555 0281');
  // The app's download is held back until the rep has started on a card.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  await signInQuietly(page, rep.email);
  await page.goto('/queue', { waitUntil: 'commit' });
  const card = page.getByTestId('lead-card').filter({ hasText: lead.name });
  await card.getByTestId('log-call').tap();
  await card.getByTestId('call-note').fill('Call after the school run');
  await expect(page.locator('body[data-hydrated]')).toHaveCount(0);
  release();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  // The panel is still open, the note still there: the app took the card over as it was.
  await expect(card.getByTestId('outcome-busy')).toBeVisible();
  await expect(card.getByTestId('call-note')).toHaveValue('Call after the school run');
  await card.getByTestId('outcome-busy').tap();
  // The app logs it now: with its few seconds to undo, then saved.
  await expect(card.getByTestId('call-status')).toContainText('Logged: Busy');
  await expect(card.getByTestId('call-status')).toHaveText(/^Saved: Busy/, { timeout: 15_000 });
  const calls = (await touchesOf(rep.api, lead.id)).filter((line) => line.detail.includes('school run'));
  expect(calls).toHaveLength(1);
  expect(problems).toEqual([]);
  await rep.api.dispose();
});
