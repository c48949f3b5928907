import { expect, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, QueuePage, watchConsole } from './support';

test.describe('a manager watching the boards', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test('drills into an aging cell, and sees compliance and bias update live', async ({ page, request }) => {
    const problems = watchConsole(page);
    const manager = demo().logins.find((login) => login.role === 'manager')!;
    await new LoginPage(page).signIn(manager.email, demo().password);
    await expect(page).toHaveURL(/\/board$/);

    // Drill down: the demo has leads in the 1–24 h column; open the first non-empty cell.
    const link = page.locator('td.cell a.count').first();
    const count = Number(await link.innerText());
    await link.click();
    await expect(page.getByTestId('cell-leads')).toBeVisible();
    await expect(page.getByTestId('cell-lead')).toHaveCount(Math.min(count, 200));

    await page.getByTestId('basis-touch').click();
    await expect(page).toHaveURL(/basis=touch/);
    await expect(page.getByTestId('board-total')).toBeVisible();

    await page.goto('/board/compliance?window=7');
    const team = page.getByTestId('compliance-team');
    await expect(team).toBeVisible();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    const before = Number(await team.getByTestId('assigned').innerText());
    await expect(page.getByTestId('bias-summary')).toContainText('flagged');

    // A lead posted through the API counts on the compliance board within two seconds.
    const lead = await postLead(request, { ...person('Cal'), phone: '+1 415 555 0188' });
    expect(lead.owner.kind).toBe('rep');
    await expect(team.getByTestId('assigned')).toHaveText(String(before + 1), { timeout: 2_000 });
    await expect(page.getByTestId('sla-chart')).toBeVisible();
    await page.screenshot({ path: 'screenshots/compliance-board.png', fullPage: true });

    await page.goto('/board/outlook');
    await expect(page.getByTestId('capacity-hint')).toBeVisible();
    await expect(page.getByTestId('load-chart').locator('g.bar')).toHaveCount(3);
    await page.screenshot({ path: 'screenshots/capacity-forecast.png', fullPage: true });
    expect(problems).toEqual([]);
  });

  test('a wall screen shows the boards in large type, without controls, and stays live', async ({ page, request }) => {
    const problems = watchConsole(page);
    const manager = demo().logins.find((login) => login.role === 'manager')!;
    await new LoginPage(page).signIn(manager.email, demo().password);
    await expect(page).toHaveURL(/\/board$/);
    await page.setViewportSize({ width: 1920, height: 1080 });
    // The wall's live stream is open before the lead arrives (on a busy machine it can connect
    // after the page has hydrated).
    const streaming = page.waitForResponse((r) => new URL(r.url()).pathname === '/live');
    await page.goto('/wall');
    await streaming;
    await expect(page.getByTestId('wall')).toBeVisible();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.locator('button, select, input, form')).toHaveCount(0);
    const before = Number(await page.getByTestId('board-total').innerText());
    await postLead(request, person('Wes'));
    await expect(page.getByTestId('board-total')).toHaveText(String(before + 1), { timeout: 2_000 });
    await page.screenshot({ path: 'screenshots/wall-screen.png' });
    expect(problems).toEqual([]);
  });
});

test.describe('a rep with sound and vibration on', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('is signalled when a new lead lands in the open queue', async ({ page, request }) => {
    const problems = watchConsole(page);
    const rep = demo().logins.find((login) => login.role === 'rep')!;
    await new LoginPage(page).signIn(rep.email, demo().password);
    await expect(page).toHaveURL(/\/queue$/);
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await page.getByTestId('signal-toggle').check();
    const switch_ = page.getByTestId('signal-switch');
    await expect(switch_).toHaveAttribute('data-signalled', '0');
    const posted = [];
    for (const prefix of ['Ida', 'Jo', 'Kai']) {
      const someone = person(prefix);
      posted.push({ ...someone, lead: await postLead(request, someone) });
    }
    const mine = posted.find((p) => p.lead.owner.name === rep.name)!;
    // What this checks is the signal; how fast a new lead shows live is timed by the board
    // journeys above. A slow shared machine can take longer than 2 s to draw it.
    await expect(new QueuePage(page).card(mine.name)).toBeVisible({ timeout: 10_000 });
    await expect(switch_).toHaveAttribute('data-signalled', /[1-9]/);

    // The choice is kept on this phone.
    await page.reload();
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
    await expect(page.getByTestId('signal-toggle')).toBeChecked();
    expect(problems).toEqual([]);
  });
});
