import { expect, Page, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

async function advanceClock(page: Page, minutes: number) {
  const response = await page.request.post('/test/clock', { data: { minutes }, headers: { Connection: 'close' } });
  expect(response.status()).toBe(200);
}

/** Calls a server function with the page's session, as the page itself would. */
async function serverFn(page: Page, path: string, form: Record<string, string>) {
  const response = await page.request.post(`/api/${path}`, {
    form,
    headers: { Accept: 'application/json', Connection: 'close' },
  });
  expect(response.status(), `${path}: ${await response.text()}`).toBe(200);
}

test('a lead the cadence could not reach is nurtured, handed back with a note, and the rep sees it hot', async ({
  browser,
  request,
}) => {
  const eve = person('Eve');
  const lead = await postLead(request, { ...eve, phone: '+1 415 555 0163', company: 'Nurture Test Ltd' });
  const rep = demo().logins.find((login) => login.name === lead.owner.name)!;
  const marketer = demo().logins.find((login) => login.role === 'marketing')!;

  // The rep works the whole cadence without reaching anyone (on a phone).
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const repPage = await phone.newPage();
  const repProblems = watchConsole(repPage);
  await new LoginPage(repPage).signIn(rep.email, demo().password);
  await expect(repPage).toHaveURL(/\/queue$/);
  for (const wait of [0, 60, 23 * 60, 2 * 24 * 60, 3 * 24 * 60, 4 * 24 * 60]) {
    if (wait > 0) await advanceClock(repPage, wait);
    await serverFn(repPage, 'lead/log-touch', { lead_id: lead.id, kind: 'call', outcome: 'no_answer' });
  }

  // Marketing finds it in the pool, touches it, and hands it back with a "why now" note.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const mktPage = await desk.newPage();
  const mktProblems = watchConsole(mktPage);
  await new LoginPage(mktPage).signIn(marketer.email, demo().password);
  await expect(mktPage).toHaveURL(/\/nurture$/);
  const row = mktPage.getByTestId('nurture-row').filter({ hasText: eve.name });
  await expect(row).toContainText('Not reached after the cadence');
  await row.getByTestId('select-lead').check();
  await expect(mktPage.getByTestId('selected-count')).toHaveText('1 selected');
  await mktPage.getByTestId('nurture-kind').selectOption('event_invite');
  await mktPage.getByTestId('log-nurture').click();
  await expect(row.getByTestId('nurture-last')).toContainText('Nurture: Event invite');
  await mktPage.screenshot({ path: 'screenshots/nurture-pool.png', fullPage: true });

  await row.getByRole('link', { name: eve.name }).click();
  await mktPage.getByTestId('hand-back-note').fill('Replied to the invite: budget approved for Q3');
  await mktPage.getByTestId('hand-back').click();
  await expect(mktPage.getByTestId('lead-stage')).toHaveText('Hot');

  // The rep sees it hot, the note first, and the first-contact clock running.
  await repPage.goto('/queue');
  const card = repPage.getByTestId('lead-card').filter({ hasText: eve.name });
  await expect(card).toContainText('Hot');
  await expect(card.getByTestId('card-hot-note')).toHaveText('Why now: Replied to the invite: budget approved for Q3');
  await expect(card.getByTestId('next-action')).toContainText('Call (attempt 1 of 6)');
  await expect(card.getByTestId('next-action')).toContainText('due in');
  await card.getByTestId('lead-link').click();
  await expect(repPage.getByTestId('hot-note')).toContainText('budget approved for Q3');
  await advanceClock(repPage, 6);
  await repPage.reload();
  await expect(repPage.getByTestId('lead-step')).toContainText('Attempt 1 of 6');
  await expect(repPage.locator('[data-testid=lead-step].overdue')).toBeVisible();

  expect(repProblems).toEqual([]);
  expect(mktProblems).toEqual([]);
  await phone.close();
  await desk.close();
});
