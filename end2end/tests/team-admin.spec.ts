import AxeBuilder from '@axe-core/playwright';
import { Browser, expect, Page, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

function login(role: string) {
  return demo().logins.find((l) => l.role === role)!;
}

async function signIn(page: Page, role: string) {
  await new LoginPage(page).signIn(login(role).email, demo().password);
  await expect(page).not.toHaveURL(/\/login$/);
}

/** Serious or critical accessibility problems axe-core finds on the page as it stands. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')})`);
}

/** Minutes of the day in a due phrase such as "Attempt 1 of 6 · due today 14:05". */
function dueMinutes(step: string): number {
  const m = /(\d{2}):(\d{2})\s*$/.exec(step);
  if (!m) throw new Error(`no due time in "${step}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

async function leadStep(browser: Browser, email: string, id: string): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await new LoginPage(page).signIn(email, demo().password);
  await expect(page).not.toHaveURL(/\/login$/);
  const response = await page.request.post('/api/lead/detail', {
    form: { lead_id: id },
    headers: { Accept: 'application/json', Connection: 'close' },
  });
  expect(response.status()).toBe(200);
  const step = (await response.json()).step as string;
  await context.close();
  return step;
}

test.describe('running the team from the screens', () => {
  test.use({ viewport: { width: 1366, height: 768 } });

  test('an admin adds a rep who sets a password on a phone through the one-time link and gets the next lead', async ({
    page,
    browser,
    request,
  }) => {
    const problems = watchConsole(page);
    await signIn(page, 'admin');
    await page.goto('/admin/people');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const nina = person('Nina');
    await page.getByTestId('add-person').click();
    await page.getByTestId('person-name').fill(nina.name);
    await page.getByTestId('person-email').fill(nina.email);
    await page.getByTestId('person-role').selectOption('rep');
    await page.getByTestId('person-add').click();
    const link = await page.getByTestId('invite-link').inputValue();
    expect(link).toContain('/welcome?token=');
    await expect(page.getByTestId(`person-${nina.email}`)).toContainText('Has not chosen a password yet');
    await page.screenshot({ path: 'screenshots/admin-people.png', fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    // Nina opens the link on her phone, chooses a password and lands on her queue.
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const ninaPage = await phone.newPage();
    const ninaProblems = watchConsole(ninaPage);
    await ninaPage.goto(new URL(link).pathname + new URL(link).search);
    await expect(ninaPage.getByTestId('welcome-name')).toContainText(`Welcome, ${nina.name}`);
    await expect(ninaPage.locator('body[data-hydrated="true"]')).toBeAttached();
    await ninaPage.getByTestId('welcome-password').fill('ninas own secret');
    await ninaPage.getByTestId('welcome-again').fill('ninas own secret');
    await ninaPage.getByTestId('welcome-submit').click();
    await expect(ninaPage).toHaveURL(/\/queue$/);
    await expect(ninaPage.getByTestId('who')).toHaveText(nina.name);

    // A rep never given a lead is first in line: the next inquiry is hers, on her phone.
    const buyer = person('Buyer');
    const lead = await postLead(request, { ...buyer, phone: '+1 415 555 0181' });
    expect(lead.owner.name).toBe(nina.name);
    await expect(ninaPage.getByTestId('lead-card').filter({ hasText: buyer.name })).toBeVisible({ timeout: 5_000 });
    await ninaPage.screenshot({ path: 'screenshots/new-rep-first-lead-phone.png' });

    // The link was good once.
    await ninaPage.goto(new URL(link).pathname + new URL(link).search);
    await expect(ninaPage.getByTestId('welcome-expired')).toBeVisible();
    await phone.close();

    // Nina leaves: switched off, the lead she holds goes to another rep.
    await page.goto('/admin/people');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const row = page.getByTestId(`person-${nina.email}`);
    await row.locator('details').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await row.getByTestId('deactivate').click();
    await expect(page.getByTestId('people-saved')).toHaveText('Switched off. 1 open leads went to others.');
    await expect(page.getByTestId(`person-${nina.email}`)).toContainText('Switched off');

    // The audit log names what happened.
    await page.goto('/admin/audit');
    await expect(page.getByTestId('audit-line').filter({ hasText: nina.email }).first()).toBeVisible();
    await expect(page.getByTestId('audit-action').filter({ hasText: 'Person added' }).first()).toBeVisible();
    await expect(page.getByTestId('audit-action').filter({ hasText: 'Switched off' }).first()).toBeVisible();
    await page.screenshot({ path: 'screenshots/admin-audit.png', fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    expect(ninaProblems).toEqual([]);
  });

  test('an admin changes the first-call SLA and the next lead is due later; a rule out of order is refused beside its field', async ({
    page,
    browser,
    request,
  }) => {
    const problems = watchConsole(page, 422);
    const before = await postLead(request, { ...person('Sla'), phone: '+1 415 555 0183' });
    await signIn(page, 'admin');
    await page.goto('/admin/policy');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.getByTestId('first_contact')).toHaveValue('5 min');
    await page.getByTestId('first_contact').fill('30 min');
    await page.getByTestId('policy-save').click();
    // The manager's warning (15 min) would now come before the first call is due.
    await expect(page.locator('#f-policy-warn_after--error')).toHaveText('must not come before the first call is due');
    await expect(page.getByTestId('first_contact')).toHaveValue('30 min');
    await page.getByTestId('warn_after').fill('45 min');
    await page.getByTestId('policy-save').click();
    await expect(page.getByTestId('policy-saved')).toBeVisible();
    await page.screenshot({ path: 'screenshots/admin-policy.png', fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);

    const after = await postLead(request, { ...person('Sla'), phone: '+1 415 555 0184' });
    const owner = (id: { owner: { name: string } }) => demo().logins.find((l) => l.name === id.owner.name);
    const stepBefore = await leadStep(browser, (owner(before) ?? login('manager')).email, before.id);
    const stepAfter = await leadStep(browser, (owner(after) ?? login('manager')).email, after.id);
    const moved = (dueMinutes(stepAfter) - dueMinutes(stepBefore) + 1440) % 1440;
    expect(moved, `${stepBefore} → ${stepAfter}`).toBeGreaterThanOrEqual(24);
    expect(moved).toBeLessThanOrEqual(26);

    // Back to the team's rules, so the other journeys run on them.
    await page.getByTestId('first_contact').fill('5 min');
    await page.getByTestId('warn_after').fill('15 min');
    await page.getByTestId('policy-save').click();
    await expect(page.getByTestId('policy-saved')).toBeVisible();
    await page.goto('/admin/audit?action=policy_changed');
    await expect(page.getByTestId('audit-line').filter({ hasText: 'first call due 5 min → 30 min' }).first()).toBeVisible();
    await expect(page.getByTestId('audit-line').first()).toContainText('first call due 30 min → 5 min');
    expect(problems).toEqual([]);
  });

  test('the sources screen makes a key shown once, rotates it and revokes it', async ({ page }) => {
    const problems = watchConsole(page);
    await signIn(page, 'admin');
    await page.goto('/admin/sources');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const name = person('Fair').name;
    await page.getByTestId('add-source').click();
    await page.getByTestId('source-name').fill(name);
    await page.getByTestId('source-add').click();
    const key = await page.getByTestId('new-key-value').inputValue();
    expect(key).toMatch(/^ll_[0-9a-f]{64}$/);
    const row = page.getByTestId(`source-${name}`);
    const open = () => row.getByTestId('source-change').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await open();
    await row.getByTestId('rotate').click();
    await expect(row.getByTestId('key-state')).toContainText('the old key works until');
    const post = (k: string) =>
      page.request.post('/api/v1/leads', { headers: { Authorization: `Bearer ${k}`, Connection: 'close' }, data: person('Key') });
    expect((await post(key)).status()).toBe(201);
    await page.screenshot({ path: 'screenshots/admin-sources.png', fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await open();
    await row.getByTestId('revoke').click();
    await expect(page.getByTestId(`source-${name}`).getByTestId('key-state')).toContainText('Revoked');
    expect((await post(key)).status()).toBe(401);

    // Territories: a country narrowed to regions, listed with its rules and reps.
    await page.goto('/admin/territories');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const west = `West ${name.split(' ')[1]}`;
    await page.getByTestId('add-territory').click();
    await page.getByTestId('territory-name').fill(west);
    await page.locator('input[name="country"]').fill('US');
    await page.locator('input[name="regions"]').fill('California, Oregon');
    await page.getByTestId('territory-save').click();
    await expect(page.getByTestId(`territory-${west}`)).toContainText('US · California');
    await expect(page.getByTestId(`territory-${west}`)).toContainText('No active rep');
    await page.screenshot({ path: 'screenshots/admin-territories.png', fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    // Removed again: the other journeys route over the whole team.
    for (let n = 0; n < 2; n++) await page.getByTestId(`territory-${west}`).getByRole('button', { name: 'Remove' }).first().click();
    await expect(page.getByTestId(`territory-${west}`)).toHaveCount(0);
    expect(problems).toEqual([]);
  });

  test('a manager opens a board count, sees its leads in view and reassigns two of them', async ({ page }) => {
    const problems = watchConsole(page);
    await signIn(page, 'manager');
    await expect(page).toHaveURL(/\/board$/);
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    // Alerts fold into one line: the board starts near the top.
    expect(await page.getByTestId('alerts').count()).toBeLessThanOrEqual(1);
    expect(await seriousViolations(page)).toEqual([]);

    // A cell holding at least two leads held by reps.
    const cell = page.locator('[data-testid^="cell-attempting-"] a.count, [data-testid^="cell-assigned-"] a.count');
    let opened = false;
    for (const link of await cell.all()) {
      if (Number(await link.innerText()) >= 2) {
        await link.click();
        opened = true;
        break;
      }
    }
    expect(opened).toBe(true);
    const list = page.getByTestId('cell-leads');
    await expect(list).toBeInViewport();
    const rows = list.getByTestId('cell-lead');
    const idOf = async (n: number) => (await rows.nth(n).locator('a').first().getAttribute('href'))!.split('/').pop()!;
    const holderOf = async (id: string) => {
      const response = await page.request.post('/api/lead/detail', {
        form: { lead_id: id },
        headers: { Accept: 'application/json', Connection: 'close' },
      });
      expect(response.status()).toBe(200);
      return (await response.json()).owner as string;
    };
    const picked = [await idOf(0), await idOf(1)];
    const holders = [await holderOf(picked[0]), await holderOf(picked[1])];
    await rows.nth(0).getByTestId('pick-lead').check();
    await rows.nth(1).getByTestId('pick-lead').check();
    await expect(list.getByTestId('picked')).toContainText('2 of');
    await list.getByTestId('reassign-selected').click();
    await expect(list.getByTestId('reassigned')).toHaveText('Reassigned 2.');
    await expect(list).toBeInViewport();
    await page.screenshot({ path: 'screenshots/board-drill-reassign.png' });
    // Each went to someone else.
    for (const [n, id] of picked.entries()) expect(await holderOf(id)).not.toBe(holders[n]);

    // A compliance row opens that rep's leads in view, with a way to mark the rep away.
    await page.goto('/board/compliance?window=30');
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await page.getByTestId('open-rep').first().click();
    await expect(page.getByTestId('cell-leads')).toBeInViewport();
    await expect(page.getByTestId('mark-away')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
  });

  test('a person sees their sessions and the wall fits one screen with its time', async ({ page }) => {
    const problems = watchConsole(page);
    await signIn(page, 'manager');
    await page.goto('/account');
    await expect(page.getByTestId('session').first()).toBeVisible();
    await expect(page.getByTestId('session').filter({ hasText: 'this browser' })).toHaveCount(1);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto('/wall');
    await expect(page.getByTestId('wall-updated')).toContainText(/Updated \d{2}:\d{2}/);
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height, 'the wall needs no scrolling').toBeLessThanOrEqual(1080);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: 'screenshots/wall-screen.png' });
    expect(problems).toEqual([]);
  });
});
