import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The phone benchmark: its own server (port 3200, its own database) so the journeys' leads and
// clock do not touch it, and one run at a time (it measures time).
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '*.bench.ts',
  timeout: 180_000,
  use: { ...base.use, baseURL: 'http://127.0.0.1:3200', trace: 'off' },
  webServer: {
    command: 'PORT=3200 RUN_DIR=.run-bench bash serve.sh',
    url: 'http://127.0.0.1:3200/healthz',
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
