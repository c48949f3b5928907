import { expect, Page, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

/** Moves the server's test clock forward (only the end-to-end server has one). */
async function advanceClock(page: Page, minutes: number) {
  const response = await page.request.post('/test/clock', { data: { minutes }, headers: { Connection: 'close' } });
  expect(response.status()).toBe(200);
}

class LeadPage {
  constructor(private page: Page) {}

  async open(name: string) {
    await this.page.getByTestId('lead-card').filter({ hasText: name }).getByTestId('lead-link').click();
    await expect(this.page.getByTestId('lead-name')).toHaveText(name);
  }

  async logCall(outcome: string) {
    await this.page.getByTestId(`outcome-${outcome}`).click();
  }

  async tryToCloseAsDead(reason: string) {
    await this.page.getByTestId('close-dialog').locator('summary').click();
    await this.page.getByTestId('dead-reason').selectOption(reason);
    await this.page.getByTestId('close-dead').click();
  }
}

test.describe('the follow-up engine, as a rep on a phone sees it', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  async function signInAsOwnerOf(page: Page, lead: { owner: { name: string } }) {
    const rep = demo().logins.find((login) => login.name === lead.owner.name)!;
    await new LoginPage(page).signIn(rep.email, demo().password);
    await expect(page).toHaveURL(/\/queue$/);
  }

  test('closing a lead that was never called is refused with the reason', async ({ page, request }) => {
    const problems = watchConsole(page, 409);
    const cy = person('Cy');
    const lead = await postLead(request, { ...cy, phone: '+1 415 555 0142' });
    await signInAsOwnerOf(page, lead);
    const leadPage = new LeadPage(page);
    await leadPage.open(cy.name);
    await leadPage.tryToCloseAsDead('not_a_buyer');
    await expect(page.getByTestId('close-error')).toHaveText(
      'This lead has had no call attempt yet — call it before closing.',
    );
    // Shown, not only present: the dialog stays open with the reason after the page re-reads.
    await expect(page.getByTestId('close-error')).toBeVisible();
    await expect(page.getByTestId('lead-stage')).toHaveText('New, not called');
    await page.getByTestId('close-error').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'screenshots/close-refused.png' });
    expect(problems).toEqual([]);
  });

  test('a lead worked to a sale from its page: notes, a text, a refused and an accepted close', async ({ page, request }) => {
    const problems = watchConsole(page, 422);
    const wyn = person('Wyn');
    const lead = await postLead(request, { ...wyn, phone: '+1 415 555 0166' });
    await signInAsOwnerOf(page, lead);
    const leadPage = new LeadPage(page);
    await leadPage.open(wyn.name);
    await leadPage.logCall('connected');
    await expect(page.getByTestId('touch-line')).toHaveCount(1);

    // Qualification notes are kept, hostile-looking text and all.
    await page.getByText('Qualification (BANT)').click();
    await page.getByTestId('bant-budget').fill('4,800 <b>approved</b> & signed');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await page.reload();
    await expect(page.getByTestId('bant-budget')).toHaveValue('4,800 <b>approved</b> & signed');

    // A text message is recorded as a touch.
    await page.getByText('Log a meeting, text or email').click();
    await page.getByTestId('touch-kind').selectOption('sms');
    await page.getByTestId('log-other').click();
    await expect(page.getByTestId('touch-line')).toHaveCount(2);

    // Won without a sale date: refused beside the field, in words; then with one, it is won.
    await page.getByTestId('close-dialog').locator('summary').click();
    await page.getByLabel('Amount').fill('4,800');
    await page.getByTestId('close-won').click();
    await expect(page.getByTestId('error-sold_on')).toHaveText('Sale date is required for a won lead');
    await expect(page.getByLabel('Amount'), 'what was typed is kept').toHaveValue('4,800');
    await page.getByLabel('Sale date').fill('2026-11-20');
    await page.getByTestId('close-won').click();
    await expect(page.getByTestId('lead-stage')).toHaveText('Won');
    expect(problems).toEqual([]);
  });

  test('six unanswered attempts across ten days move the lead to nurture', async ({ page, request }) => {
    const problems = watchConsole(page);
    const di = person('Di');
    const lead = await postLead(request, { ...di, phone: '+1 415 555 0177' });
    await signInAsOwnerOf(page, lead);
    const leadPage = new LeadPage(page);
    await leadPage.open(di.name);

    // Each attempt is made when it falls due: now, +1 h, then days 1, 3, 6 and 10.
    const waits = [0, 60, 23 * 60, 2 * 24 * 60, 3 * 24 * 60, 4 * 24 * 60];
    for (const [i, wait] of waits.entries()) {
      if (wait > 0) {
        await advanceClock(page, wait);
        await page.reload();
      }
      await expect(page.getByTestId('lead-step')).toContainText(`Attempt ${i + 1} of 6`);
      if (i === 2) await page.screenshot({ path: 'screenshots/lead-page.png' });
      await leadPage.logCall('no_answer');
      await expect(page.getByTestId('touch-line')).toHaveCount(i + 1);
    }
    await expect(page.getByTestId('lead-stage')).toHaveText('Nurture');
    await expect(page.getByTestId('nurture-why')).toHaveText('Not reached after the cadence');
    await page.goto('/queue');
    await expect(page.getByTestId('lead-card').filter({ hasText: di.name })).toHaveCount(0);
    expect(problems).toEqual([]);
  });
});
