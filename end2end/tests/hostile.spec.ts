import { Browser, BrowserContext, expect, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

/** The key of the source with a hostile name, and the manager with one (added by serve.sh). */
const hostileSourceKey = () => readFileSync(join(__dirname, '..', '.run', 'hostile-source-key.txt'), 'utf8').trim();
const HOSTILE_MANAGER = 'mal@leadline.demo';

/**
 * Text that would end a text box, add an image whose error handler runs, and run a script, if
 * any page wrote it into its HTML as markup. `where` names the field, so a failure says which.
 */
function hostile(where: string): string {
  return `</textarea><img src=x onerror="window.__pwned='${where}'"><script>window.__pwned='${where}'</script>`;
}

/** The date `days` from now, as a date field sends it. */
function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Calls a server function with the page's session, as the page itself would. */
async function serverFn(page: Page, path: string, form: Record<string, string>) {
  const response = await page.request.post(`/api/${path}`, { form, headers: { Accept: 'application/json', Connection: 'close' } });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
}

async function signedIn(browser: Browser, email: string, phone = false): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(
    phone ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 800 } },
  );
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, demo().password);
  await expect(page).not.toHaveURL(/\/login$/);
  return { context, page };
}

/**
 * Proves `path` shows hostile text as text three ways: in the HTML the server sends, in the page
 * a browser builds from that HTML with JavaScript off, and in the hydrated page. `shows` are
 * texts the person must be able to read on it.
 */
async function rendersAsText(browser: Browser, signedInContext: BrowserContext, path: string, shows: string[]) {
  const html = await (await signedInContext.request.get(path)).text();
  expect(html, `${path}: server HTML`).not.toContain('<img src=x');
  expect(html, `${path}: server HTML`).not.toContain('<script>window.__pwned');

  // Without JavaScript, parts streamed after the first paint stay in <template>s: look there too.
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await signedInContext.storageState() });
  const still = await noScript.newPage();
  await still.goto(path);
  const built = await still.evaluate(() => {
    const roots: ParentNode[] = [document];
    for (let i = 0; i < roots.length; i++) roots[i].querySelectorAll('template').forEach((t) => roots.push(t.content));
    const count = (selector: string) => roots.reduce((n, root) => n + root.querySelectorAll(selector).length, 0);
    const scripts = roots.flatMap((root) => [...root.querySelectorAll('script')]);
    return {
      images: count('img[src="x"]'),
      // The page's own scripts carry its nonce (one of them holds the lead's data as JSON).
      scripts: scripts.filter((s) => !s.hasAttribute('nonce')).length,
      text: [document.body.textContent ?? '', ...roots.slice(1).map((root) => root.textContent ?? '')].join('\n'),
    };
  });
  expect(built.images, `${path} without JavaScript`).toBe(0);
  expect(built.scripts, `${path} without JavaScript`).toBe(0);
  for (const text of shows) expect(built.text, `${path} without JavaScript`).toContain(text);
  await noScript.close();

  const page = await signedInContext.newPage();
  const problems = watchConsole(page);
  let dialogs = 0;
  page.on('dialog', (dialog) => {
    dialogs += 1;
    void dialog.dismiss();
  });
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  for (const text of shows) await expect(page.getByText(text, { exact: false }).first()).toBeAttached();
  await expect(page.locator('img[src="x"]'), `${path} after hydration`).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
  expect(dialogs).toBe(0);
  expect(problems).toEqual([]);
  return page;
}

test('hostile text in every field a person fills in is shown as text and runs nothing', async ({ browser, request }) => {
  test.setTimeout(120_000);
  const tag = person('Eve').name.split(' ')[1];
  // One signed-in phone per rep, made when first needed.
  const reps = new Map<string, { context: BrowserContext; page: Page }>();
  const repSession = async (ownerName: string) => {
    const email = demo().logins.find((login) => login.name === ownerName)!.email;
    if (!reps.has(email)) reps.set(email, await signedIn(browser, email, true));
    return reps.get(email)!;
  };
  const name = (n: string) => `Eve${n} ${tag} <img src=x onerror="window.__pwned='name'">`;

  // Lead A: hostile contact fields from the intake API, then a hostile touch note and BANT notes.
  const a = await postLead(request, {
    name: name('A'),
    email: `eve.a.${tag}@example.org`,
    company: hostile('company'),
    message: hostile('message'),
    // The timeframe field takes at most 100 characters.
    timeframe: `"><img src=x onerror="window.__pwned='timeframe'">`,
  });
  const rep = await repSession(a.owner.name);
  await serverFn(rep.page, 'lead/log-touch', { lead_id: a.id, kind: 'meeting', note: hostile('touch-note') });
  const bant = { budget: hostile('budget'), authority: hostile('authority'), need: hostile('need'), timeline: hostile('timeline') };
  await serverFn(rep.page, 'lead/qualify', { lead_id: a.id, ...bant });

  // Lead B: a conversation, "not ready" for a hostile reason, then marketing hands it back hot
  // with a hostile "why now" note (which also reaches the rep as an alert).
  const b = await postLead(request, { name: name('B'), email: `eve.b.${tag}@example.org` });
  const ownerB = await repSession(b.owner.name);
  await serverFn(ownerB.page, 'lead/log-touch', { lead_id: b.id, kind: 'call', outcome: 'connected' });
  await serverFn(ownerB.page, 'lead/not-ready', { lead_id: b.id, reason: hostile('not-ready'), recontact_on: inDays(120) });
  const marketer = await signedIn(browser, demo().logins.find((login) => login.role === 'marketing')!.email);
  await rendersAsText(browser, marketer.context, '/nurture', [`EveB ${tag}`]);
  await serverFn(marketer.page, 'nurture/hand-back', { lead_id: b.id, note: hostile('why-now') });

  // Lead C: closed dead with a hostile note, for the manager's closure review.
  const c = await postLead(request, { name: name('C'), email: `eve.c.${tag}@example.org` });
  const ownerC = await repSession(c.owner.name);
  await serverFn(ownerC.page, 'lead/log-touch', { lead_id: c.id, kind: 'call', outcome: 'connected' });
  await serverFn(ownerC.page, 'lead/close', {
    lead_id: c.id,
    'close[outcome]': 'dead',
    'close[reason]': 'not_a_buyer',
    note: hostile('closure-note'),
  });

  // The rep's own lead page: every field reads back exactly as typed, in the boxes too.
  const leadA = await rendersAsText(browser, rep.context, `/lead/${a.id}`, [
    `EveA ${tag}`,
    "window.__pwned='company'",
    "window.__pwned='message'",
    "window.__pwned='timeframe'",
    "window.__pwned='touch-note'",
  ]);
  await expect(leadA.getByTestId('lead-name')).toHaveText(name('A'));
  await leadA.locator('summary', { hasText: 'Qualification (BANT)' }).click();
  for (const [field, text] of Object.entries(bant)) await expect(leadA.getByTestId(`bant-${field}`)).toHaveValue(text);
  await leadA.screenshot({ path: 'screenshots/hostile-text.png', fullPage: true });

  // B's rep sees the hot alert and the why-now note; the queue lists the hostile names.
  const queue = await rendersAsText(browser, ownerB.context, '/queue', [`EveB ${tag}`, "window.__pwned='why-now'"]);
  await expect(queue.getByTestId('card-hot-note').filter({ hasText: `window.__pwned='why-now'` })).toHaveText(
    `Why now: ${hostile('why-now')}`,
  );

  // The manager reads all three leads, the notes in their history, and the closure review.
  const manager = await signedIn(browser, demo().logins.find((login) => login.role === 'manager')!.email);
  const managerA = await rendersAsText(browser, manager.context, `/lead/${a.id}`, [`EveA ${tag}`]);
  await managerA.locator('summary', { hasText: 'Qualification (BANT)' }).click();
  await expect(managerA.getByTestId('bant-budget')).toHaveValue(bant.budget);
  await rendersAsText(browser, manager.context, `/lead/${b.id}`, ["window.__pwned='not-ready'", "window.__pwned='why-now'"]);
  await rendersAsText(browser, manager.context, `/lead/${c.id}`, ["window.__pwned='closure-note'"]);
  await rendersAsText(browser, manager.context, '/board', [`EveC ${tag}`]);

  // A source and a manager whose names are markup: on the lead, in its history, in the top
  // bar and on the campaign table.
  const fromExpo = await request.post('/api/v1/leads', {
    headers: { Authorization: `Bearer ${hostileSourceKey()}`, Connection: 'close' },
    data: { name: `EveD ${tag}`, email: `eve.d.${tag}@example.org` },
  });
  expect(fromExpo.status()).toBe(201);
  const d = await fromExpo.json();
  const mal = await signedIn(browser, HOSTILE_MANAGER);
  await serverFn(mal.page, 'lead/reopen', { lead_id: c.id, note: hostile('reopen-note') });
  await rendersAsText(browser, mal.context, `/lead/${d.id}`, [`EveD ${tag}`, 'window.__pwned=1">Expo', 'window.__pwned=2">Mal']);
  await rendersAsText(browser, manager.context, `/lead/${c.id}`, ["window.__pwned='reopen-note'", 'window.__pwned=2">Mal']);
  await rendersAsText(browser, manager.context, '/campaigns', ['window.__pwned=1">Expo']);
  await mal.context.close();

  for (const session of [...reps.values(), marketer, manager]) await session.context.close();
});
