// The packaged shape of the app, in Electron itself: sign in through the
// window, open the devices window from the menu, and the OS notification and
// notice of a forced sign-out. Runs only where an Electron binary exists
// (scripts/run-tests.mjs says so in one line where it does not).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { Http, login, SIGN_UP_SUBJECT } from '../../kit/http.js';
import { codeMailedTo } from '../../kit/mailbox.js';
import { startTestServer, tempSqlite } from '../support/server.js';

test('sign in, open Signed-in devices from the menu, and be told of a forced sign-out', async () => {
  const sqlite = tempSqlite();
  const server = await startTestServer(sqlite.store);
  const home = mkdtempSync(join(tmpdir(), 'latch-electron-'));
  const app = await electron.launch({
    args: ['.', '--profile', 'electron-e2e'],
    env: { ...process.env, LATCH_SERVER_URL: server.url, HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
  });
  try {
    const main = await app.firstWindow();
    await expect(main.getByRole('heading', { name: 'Sign in to Latch' })).toBeVisible();
    const email = `electron-${Date.now()}@example.test`;
    await main.getByRole('button', { name: 'Create an account instead' }).click();
    await main.getByLabel('Email').fill(email);
    await main.getByLabel('Password').fill('correct horse battery staple');
    await main.getByRole('button', { name: 'Create account', exact: true }).click();
    // The code from the mail (the test server's local mailbox) finishes the account.
    await main.getByLabel('Code from the mail').fill(await codeMailedTo(email, SIGN_UP_SUBJECT));
    await main.getByRole('button', { name: 'Create account', exact: true }).click();
    await expect(main.getByText(`Signed in as ${email}`)).toBeVisible();

    // The window's hardening, as the page sees it: no Node, and window.latch the only way out.
    expect(await main.evaluate('typeof require')).toBe('undefined');
    expect(await main.evaluate('typeof process')).toBe('undefined');
    expect(await main.evaluate('typeof window.latch.signIn')).toBe('function');
    expect(await main.evaluate("'ipcRenderer' in window")).toBe(false);

    const devicesOpened = app.waitForEvent('window');
    await app.evaluate(({ Menu }) => {
      const settings = Menu.getApplicationMenu()!.items.find((item) => item.label === 'Settings')!;
      settings.submenu!.items.find((item) => item.label === 'Signed-in devices…')!.click();
    });
    const devices = await devicesOpened;
    await expect(devices.getByRole('heading', { name: 'Signed-in devices' })).toBeVisible();

    await app.evaluate(({ Notification }) => {
      const shown: Array<{ title: string; body: string }> = [];
      (globalThis as Record<string, unknown>).latchNotifications = shown;
      Notification.prototype.show = function (this: Electron.Notification) {
        shown.push({ title: this.title, body: this.body });
      };
    });
    const http = new Http(server.url);
    const other = await login(http, email, 'Other laptop', 'correct horse battery staple');
    const list = await http.get('/v1/sessions', other.token);
    const mine = (list.body.sessions as Array<{ id: string; deviceName: string }>).find((s) => s.deviceName !== 'Other laptop')!;
    await http.delete(`/v1/sessions/${mine.id}`, other.token);

    await expect(main.getByRole('alert')).toContainText("Signed out from 'Other laptop'");
    await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    const notifications = await app.evaluate(() => (globalThis as Record<string, unknown>).latchNotifications);
    expect(notifications).toContainEqual({ title: 'Latch: Signed out', body: expect.stringContaining("Signed out from 'Other laptop'") });
  } finally {
    await app.close();
    await server.close();
    sqlite.dispose();
    rmSync(home, { recursive: true, force: true });
  }
});
