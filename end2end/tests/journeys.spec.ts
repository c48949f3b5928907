import { expect, test } from '@playwright/test';
import { BoardPage, demo, LoginPage, person, postLead, QueuePage, watchConsole } from './support';

test.describe('a rep on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('sees a lead posted through the API in the queue and logs a call on it', async ({ page, request }) => {
    const problems = watchConsole(page);
    const ann = person('Ann');
    const lead = await postLead(request, { ...ann, phone: '+1 415 555 0199', company: 'Acme Test Co' });
    expect(lead.owner.kind).toBe('rep');
    const rep = demo().logins.find((login) => login.name === lead.owner.name);
    expect(rep, `owner ${lead.owner.name} is a demo rep`).toBeDefined();

    await new LoginPage(page).signIn(rep!.email, demo().password);
    await expect(page).toHaveURL(/\/queue$/);
    const queue = new QueuePage(page);
    const card = queue.card(ann.name);
    await expect(card).toBeVisible();
    await expect(card.getByTestId('next-action')).toContainText('Call (attempt 1 of 6)');
    await expect(card.getByTestId('call-link')).toHaveAttribute('href', 'tel:+14155550199');
    await expect(card.getByTestId('last-touch')).toHaveText('Not contacted yet');

    await queue.logCall(ann.name, 'no_answer');
    await expect(card.getByTestId('last-touch')).toContainText('Call: No answer');
    await expect(card.getByTestId('next-action')).toContainText('Call (attempt 2 of 6)');

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: 'screenshots/rep-queue.png' });
    expect(problems).toEqual([]);
  });

  test('sees a new lead appear in the open queue without reloading', async ({ page, request }) => {
    const problems = watchConsole(page);
    const rep = demo().logins.find((login) => login.role === 'rep')!;
    await new LoginPage(page).signIn(rep.email, demo().password);
    await expect(page).toHaveURL(/\/queue$/);
    // Round robin gives each of the demo's reps one of three leads.
    const posted = [];
    for (const prefix of ['Fay', 'Gus', 'Hal']) {
      const someone = person(prefix);
      posted.push({ ...someone, lead: await postLead(request, someone) });
    }
    const mine = posted.find((p) => p.lead.owner.name === rep.name)!;
    await expect(new QueuePage(page).card(mine.name)).toBeVisible({ timeout: 2_000 });
    expect(problems).toEqual([]);
  });

  test('a wrong password is refused with a clear message', async ({ page }) => {
    const rep = demo().logins.find((login) => login.role === 'rep')!;
    await new LoginPage(page).signIn(rep.email, 'not the password');
    await expect(page.getByTestId('login-error')).toHaveText('That email and password do not match.');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('a wrong password sent before the page works is refused in words too', async ({ browser, page }) => {
    const rep = demo().logins.find((login) => login.role === 'rep')!;
    // Scripts off: the sign-in form posts as plain HTML, and the server sends it back.
    const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const early = await plain.newPage();
    await early.goto('/login');
    await early.getByTestId('login-email').fill(rep.email);
    await early.getByTestId('login-password').fill('not the password');
    await early.getByTestId('login-submit').click();
    await expect(early).toHaveURL(/\/login\?/);
    await expect(early.getByTestId('login-error')).toHaveText('That email and password do not match.');
    const returned = early.url();
    await plain.close();
    // The page it came back to, once its code works, still says so (and hydrates cleanly).
    const problems = watchConsole(page);
    await page.goto(returned);
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.getByTestId('login-error')).toHaveText('That email and password do not match.');
    expect(problems).toEqual([]);
  });
});

test.describe('a manager at a desk', () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test('sees a new lead counted on the aging board', async ({ page, request }) => {
    const problems = watchConsole(page);
    const manager = demo().logins.find((login) => login.role === 'manager')!;
    await new LoginPage(page).signIn(manager.email, demo().password);
    await expect(page).toHaveURL(/\/board$/);
    const board = new BoardPage(page);
    const before = await board.total();
    expect(before).toBeGreaterThan(0);

    // The board is live: the new lead shows within two seconds, without a reload.
    await postLead(request, person('Bo'));
    await expect(page.getByTestId('board-total')).toHaveText(String(before + 1), { timeout: 2_000 });

    await page.screenshot({ path: 'screenshots/manager-board.png', fullPage: true });
    expect(problems).toEqual([]);
  });

  test('is sent to sign in when the session is gone', async ({ page }) => {
    await page.goto('/board');
    await expect(page).toHaveURL(/\/login$/);
  });
});
