import { expect, test } from '@playwright/test';
import { demo, LoginPage, person, watchConsole } from './support';

test.use({ viewport: { width: 1366, height: 768 } });

test('an admin copies the website form snippet; on the company site, with JavaScript off, a visitor sends it and is thanked', async ({ page, browser }) => {
  const problems = watchConsole(page);
  const admin = demo().logins.find((l) => l.role === 'admin')!;
  await new LoginPage(page).signIn(admin.email, demo().password);
  await page.goto('/admin/sources');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  const row = page.getByTestId('source-Website form');
  const leadsBefore = Number(await row.locator('td').first().innerText());
  await row.getByTestId('form-snippet').locator('summary').click();
  const snippet = await row.getByTestId('form-snippet-code').innerText();
  expect(snippet).toContain('<form method="post" action="http://127.0.0.1:3100/f/');
  expect(problems).toEqual([]);

  // The company's own website, on its own origin, in a browser with scripts switched off.
  const site = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const visitor = await site.newPage();
  await visitor.route('https://www.acme-widgets.example/contact', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!DOCTYPE html><html lang="en"><head><title>Contact Acme</title></head><body><h1>Contact us</h1>${snippet}</body></html>`,
    }),
  );
  await visitor.goto('https://www.acme-widgets.example/contact');
  const who = person('Formsent');
  await visitor.getByLabel('Name').fill(who.name);
  await visitor.getByLabel('Email').fill(who.email);
  await visitor.getByLabel('Message').fill('Please send a price list <b>today</b>');
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor).toHaveURL(/\/f\//);
  await expect(visitor.getByRole('heading', { name: 'Thank you' })).toBeVisible();
  await site.close();

  // The admin sees the source's count of leads go up.
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect
    .poll(async () => Number(await page.getByTestId('source-Website form').locator('td').first().innerText()))
    .toBeGreaterThan(leadsBefore);
});
