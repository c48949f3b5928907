import { APIRequestContext, expect, Locator, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `leadline demo` printed for this run (`run`: the server's folder in end2end/): the web
 * form's API key and the logins. */
export interface Demo {
  apiKey: string;
  password: string;
  logins: { role: string; email: string; name: string }[];
}

export function demo(run = '.run'): Demo {
  const text = readFileSync(join(__dirname, '..', run, 'demo.txt'), 'utf8');
  const apiKey = /API key of the 'Website form' source: (\S+)/.exec(text)?.[1];
  const password = /password '([^']+)'/.exec(text)?.[1];
  if (!apiKey || !password) throw new Error(`unexpected demo output:\n${text}`);
  const logins = [...text.matchAll(/^\s+(\w+)\s+(\S+@\S+)\s+(.+)$/gm)].map((m) => ({
    role: m[1],
    email: m[2],
    name: m[3].trim(),
  }));
  return { apiKey, password, logins };
}

/** Posts an inquiry through the public intake API, as a website form would. */
export async function postLead(
  request: APIRequestContext,
  body: Record<string, string>,
): Promise<{ id: string; owner: { kind: string; name: string } }> {
  const response = await request.post('/api/v1/leads', {
    // A fresh connection per call: a kept-alive one can meet the server's idle close.
    headers: { Authorization: `Bearer ${demo().apiKey}`, Connection: 'close' },
    data: body,
  });
  expect(response.status()).toBe(201);
  return response.json();
}

/** A unique person for one test run. */
export function person(prefix: string) {
  const tag = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  return {
    name: `${prefix} ${tag.slice(-5)}`,
    email: `${prefix.toLowerCase()}.${tag}@example.org`,
  };
}

/**
 * Collects console errors and uncaught page errors (a broken hydration shows here). A test that
 * provokes a refusal on purpose names the status it expects the browser to log.
 */
export function watchConsole(page: Page, expectedStatus?: number): string[] {
  const problems: string[] = [];
  page.on('console', (msg) => {
    const expected = expectedStatus && msg.text().includes(`status of ${expectedStatus}`);
    if (msg.type() === 'error' && !expected) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  return problems;
}

export class LoginPage {
  constructor(private page: Page) {}

  async signIn(email: string, password: string) {
    await this.page.goto('/login');
    await expect(this.page.locator('body[data-hydrated="true"]')).toBeAttached();
    await this.page.getByTestId('login-email').fill(email);
    await this.page.getByTestId('login-password').fill(password);
    // Wait for the sign-in's answer (and its cookie): a page opened before it arrives would
    // meet the sign-in screen again.
    const answered = this.page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await this.page.getByTestId('login-submit').click();
    await answered;
  }
}

export class QueuePage {
  constructor(private page: Page) {}

  card(name: string): Locator {
    return this.page.getByTestId('lead-card').filter({ hasText: name });
  }

  /** Logs a call and waits until it is sent and saved (after its few seconds of undo). */
  async logCall(name: string, outcome: 'connected' | 'no_answer' | 'voicemail' | 'busy' | 'wrong_number') {
    const card = this.card(name);
    await card.getByTestId('log-call').click();
    await card.getByTestId(`outcome-${outcome}`).click();
    await expect(card.getByTestId('call-status')).toHaveText(/^Saved/, { timeout: 15_000 });
  }
}

export class BoardPage {
  constructor(private page: Page) {}

  async total(): Promise<number> {
    return Number(await this.page.getByTestId('board-total').innerText());
  }
}
