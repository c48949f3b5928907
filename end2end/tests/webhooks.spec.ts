import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { demo, LoginPage, person, postLead, watchConsole } from './support';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real receiver on this machine, as a team's other tool would run one. */
async function receiver(): Promise<{ url: string; got: Received[]; close: () => void }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => server.close() };
}

test('an admin subscribes a receiver, a new lead reaches it signed, and the log says delivered', async ({ page }) => {
  // The refused address below is answered 422, which the browser logs.
  const problems = watchConsole(page, 422);
  const hook = await receiver();
  const admin = demo().logins.find((l) => l.role === 'admin')!;
  await new LoginPage(page).signIn(admin.email, demo().password);
  await expect(page).not.toHaveURL(/\/login$/);
  await page.goto('/admin/webhooks');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page).toHaveTitle(/Webhooks/);

  // An address no webhook can use is refused beside its field, and nothing is added.
  await page.getByTestId('add-webhook').click();
  await page.getByTestId('webhook-url').fill('ftp://hooks.example.com/leadline');
  await page.getByTestId('webhook-add').click();
  await expect(page.getByText('must start with https://')).toBeVisible();
  await expect(page.getByTestId('webhook')).toHaveCount(0);

  await page.getByTestId('webhook-url').fill(hook.url);
  await page.getByTestId('webhook-add').click();
  const secret = await page.getByTestId('new-secret-value').inputValue();
  expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
  await expect(page.getByTestId('webhook')).toContainText(hook.url);
  await expect(page.getByTestId('webhook-state')).toContainText('On');

  const who = person('Hooked');
  const lead = await postLead(page.request, { name: who.name, email: who.email, company: 'Harbour Dental' });
  await expect.poll(() => hook.got.filter((r) => r.headers['leadline-event'] === 'lead.created').length, { timeout: 20_000 }).toBe(1);
  const created = hook.got.find((r) => r.headers['leadline-event'] === 'lead.created')!;
  const [t, v1] = String(created.headers['leadline-signature']).split(',');
  const expected = createHmac('sha256', secret).update(`${t.slice(2)}.${created.body}`).digest('hex');
  expect(v1.slice(3)).toBe(expected);
  const event = JSON.parse(created.body);
  expect(event.type).toBe('lead.created');
  expect(event.lead.id).toBe(lead.id);
  expect(event.lead.name).toBe(who.name);

  // The log shows it delivered, with the lead a link away.
  await expect(async () => {
    await page.getByTestId('refresh-log').click();
    await expect(page.getByTestId('delivery').filter({ hasText: who.name }).first()).toContainText('delivered (answered 204)', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.screenshot({ path: 'screenshots/admin-webhooks.png', fullPage: true });
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // Switched off, then removed: nothing more is sent to it.
  await page.getByTestId('webhook-switch').click();
  await expect(page.getByTestId('webhook-state')).toContainText('Off: switched off by an admin');
  await page.getByTestId('webhook-remove').click();
  await expect(page.getByTestId('webhook')).toHaveCount(0);
  const heard = hook.got.length;
  await postLead(page.request, person('Unheard'));
  await page.waitForTimeout(2_000);
  expect(hook.got.length).toBe(heard);
  hook.close();
  expect(problems).toEqual([]);
});
