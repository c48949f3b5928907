import { expect, test } from '@playwright/test';
import { demo, LoginPage, person, postLead, QueuePage, watchConsole } from './support';

test('a manager reassigns a lead by hand and it appears in the new rep’s open queue without a reload', async ({
  browser,
  request,
}) => {
  const ida = person('Ida');
  const lead = await postLead(request, { ...ida, phone: '+1 415 555 0152' });
  const reps = demo().logins.filter((login) => login.role === 'rep');
  const to = reps.find((rep) => rep.name !== lead.owner.name)!;

  // The rep who will get it watches their queue on a phone.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const repPage = await phone.newPage();
  const repProblems = watchConsole(repPage);
  await new LoginPage(repPage).signIn(to.email, demo().password);
  await expect(repPage).toHaveURL(/\/queue$/);
  const queue = new QueuePage(repPage);
  await expect(queue.card(ida.name)).toHaveCount(0);

  // The manager gives it to them from the lead's page, with a reason.
  const desk = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const managerPage = await desk.newPage();
  const managerProblems = watchConsole(managerPage);
  const manager = demo().logins.find((login) => login.role === 'manager')!;
  await new LoginPage(managerPage).signIn(manager.email, demo().password);
  await managerPage.goto(`/lead/${lead.id}`);
  await expect(managerPage.locator('body[data-hydrated="true"]')).toBeAttached();
  await managerPage.locator('summary', { hasText: 'Reassign' }).click();
  const choice = managerPage.getByTestId('reassign-to').locator('option', { hasText: to.name });
  await managerPage.getByTestId('reassign-to').selectOption((await choice.getAttribute('value'))!);
  await managerPage.getByTestId('reassign-reason').fill(`${lead.owner.name} is on a course today`);
  await managerPage.getByTestId('reassign').click();
  await expect(managerPage.getByTestId('reassigned')).toBeVisible();
  await expect(managerPage.getByText(`${lead.owner.name} is on a course today`).first()).toBeVisible();

  // It shows in the new rep's open queue, live, with the first call due.
  const card = queue.card(ida.name);
  await expect(card).toBeVisible({ timeout: 2_000 });
  await expect(card.getByTestId('next-action')).toContainText('Call (attempt 1 of 6)');

  expect(repProblems).toEqual([]);
  expect(managerProblems).toEqual([]);
  await phone.close();
  await desk.close();
});
