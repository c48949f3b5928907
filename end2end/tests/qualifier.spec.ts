import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { demo, LoginPage, person, postLead, QueuePage, watchConsole } from './support';

/** The admin's command line today (the admin screens come later): mark a rep away or back. */
function away(email: string, from: string, until: string) {
  execFileSync(join(__dirname, '..', '..', 'target', 'release', 'leadline'), ['user', 'away', '--email', email, '--from', from, '--until', until], {
    env: { ...process.env, DATABASE_URL: `sqlite:${join(__dirname, '..', '.run', 'e2e.db')}` },
    stdio: 'pipe',
  });
}

test('with every rep away a lead waits in the qualifier queue; the qualifier calls it and passes it hot to a rep, who sees it live on a 360 px phone', async ({
  browser,
  request,
}) => {
  const reps = demo().logins.filter((login) => login.role === 'rep');
  const quinn = demo().logins.find((login) => login.role === 'qualifier')!;
  const rita = reps[0];
  for (const rep of reps) away(rep.email, '2000-01-01', '2100-01-01');
  try {
    const olu = person('Olu');
    const lead = await postLead(request, { ...olu, phone: '+1 415 555 0171', company: 'Ferry Foods' });
    expect(lead.owner.name).toBe('Qualifier queue');
    // Rita is back; the others stay away.
    away(rita.email, '2000-01-01', '2000-01-02');

    // Rita watches her queue on her phone.
    const ritaPhone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const ritaPage = await ritaPhone.newPage();
    const ritaProblems = watchConsole(ritaPage);
    await new LoginPage(ritaPage).signIn(rita.email, demo().password);
    await expect(ritaPage).toHaveURL(/\/queue$/);
    const ritaQueue = new QueuePage(ritaPage);
    await expect(ritaQueue.card(olu.name)).toHaveCount(0);

    // Quinn finds it in the queue, calls, and passes it on.
    const quinnPhone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const quinnPage = await quinnPhone.newPage();
    const quinnProblems = watchConsole(quinnPage);
    await new LoginPage(quinnPage).signIn(quinn.email, demo().password);
    await expect(quinnPage).toHaveURL(/\/queue$/);
    const quinnQueue = new QueuePage(quinnPage);
    await quinnQueue.logCall(olu.name, 'connected');
    await quinnQueue.card(olu.name).getByTestId('lead-link').click();
    await expect(quinnPage).toHaveURL(new RegExp(`/lead/${lead.id}$`));
    await expect(quinnPage.getByTestId('lead-stage')).toHaveText('Qualifier queue');
    const to = quinnPage.getByTestId('pass-to');
    // Away reps are shown but cannot be chosen.
    await expect(to.locator('option', { hasText: reps[1].name })).toBeDisabled();
    await to.selectOption((await to.locator('option', { hasText: rita.name }).getAttribute('value'))!);
    await quinnPage.getByTestId('pass-note').fill('Budget approved, wants a demo this week');
    await quinnPage.getByTestId('pass').click();
    await expect(quinnPage.getByTestId('passed')).toHaveText(`Passed to ${rita.name}, hot: it has left your queue.`);
    await quinnPage.getByRole('link', { name: 'Back to the queue' }).click();
    await expect(quinnQueue.card(olu.name)).toHaveCount(0);

    // It reaches Rita without a reload, hot, with the qualifier's note first.
    const card = ritaQueue.card(olu.name);
    await expect(card).toBeVisible({ timeout: 2_000 });
    await expect(card.getByTestId('card-hot-note')).toHaveText('Why now: Budget approved, wants a demo this week');
    await card.getByTestId('lead-link').click();
    await expect(ritaPage.getByTestId('hot-note')).toHaveText(
      'Why now (from the qualifier): Budget approved, wants a demo this week',
    );
    await expect(ritaPage.getByTestId('lead-stage')).toHaveText('Hot');
    await expect(ritaPage.getByTestId('outcome-connected')).toBeVisible();
    const width = await ritaPage.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);

    expect(ritaProblems).toEqual([]);
    expect(quinnProblems).toEqual([]);
    await ritaPhone.close();
    await quinnPhone.close();
  } finally {
    for (const rep of reps) away(rep.email, '2000-01-01', '2000-01-02');
  }
});
