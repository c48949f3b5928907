import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { demo, LoginPage, person, watchConsole } from './support';

test.use({ viewport: { width: 1366, height: 768 } });

test('marketing imports a list from a fair: sees the rows, imports with a progress bar and downloads the report', async ({ page }) => {
  const problems = watchConsole(page);
  const marketing = demo().logins.find((l) => l.role === 'marketing')!;
  await new LoginPage(page).signIn(marketing.email, demo().password);
  await page.goto('/nurture');
  await page.getByTestId('nav-import').click();
  await expect(page).toHaveURL(/\/import$/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  const ann = person('Listed');
  const bo = person('Listed');
  const csv =
    'First name;Last name;E-mail;Company;Booth notes\n' +
    `${ann.name};Fair;${ann.email};Acme;Wants a demo <b>soon</b>\n` +
    `${bo.name};Fair;${bo.email};Berg AB;\n` +
    'Nobody;Fair;not-an-email;Nowhere;\n';
  await page.getByTestId('import-file').setInputFiles({ name: 'fair.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByTestId('import-upload').click();
  await expect(page).toHaveURL(/\/import\?id=/);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  // The preview: each row with what it would be; the pace of the first calls said.
  const verdicts = page.getByTestId('import-row-verdict');
  await expect(verdicts).toHaveCount(3);
  await expect(verdicts.nth(0)).toHaveText('ok');
  await expect(verdicts.nth(2)).toContainText('Email');
  await expect(page.getByTestId('import-pace')).toContainText('an hour');
  await expect(page.getByTestId('import-column').nth(2)).toHaveValue('email');

  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-status')).toHaveText(
    'Done: 2 imported, 0 already leads (linked), 1 rejected.',
    { timeout: 20_000 },
  );
  await expect(page.getByTestId('import-progress')).toHaveAttribute('value', '3');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-report').click()]);
  const report = readFileSync(await download.path(), 'utf8').trim().split('\n');
  expect(report[0]).toBe('row,outcome,lead,reason,First name,Last name,E-mail,Company,Booth notes');
  expect(report[1]).toMatch(/^1,imported,[0-9a-f-]+,,/);
  expect(report[3]).toMatch(/^3,rejected,,Email: /);
  await page.screenshot({ path: 'screenshots/import-done.png', fullPage: true });
  expect(problems).toEqual([]);
});
