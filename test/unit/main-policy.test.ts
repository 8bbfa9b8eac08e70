// What main decides, tested without Electron: the IPC sender check, the OS
// notification words, window placement and its persistence, the command line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  isTrustedSender,
  notificationForAccountChange,
  notificationForCopiedSignIn,
  notificationForNewSignIn,
  notificationForState,
  parseLaunchOptions,
  placeWindow,
  refusedDebugSwitch,
  WindowStateFile,
} from '../../electron/main/policy.js';
import type { SessionView } from '../../shared/api.js';
import type { SessionState } from '../../shared/ipc.js';
import { messagesFor, speak } from '../../shared/messages.js';

const indexFile = join(tmpdir(), 'latch-app', 'out', 'renderer', 'index.html');
const pages = { indexFile };

describe('IPC sender check', () => {
  it('trusts only the app’s own page', () => {
    assert.equal(isTrustedSender(`${pathToFileURL(indexFile).href}#/devices`, pages), true);
    assert.equal(isTrustedSender(pathToFileURL(join(tmpdir(), 'elsewhere.html')).href, pages), false);
    assert.equal(isTrustedSender('https://evil.example/', pages), false);
    assert.equal(isTrustedSender('http://127.0.0.1:5173/', pages), false, 'a dev server URL only counts in development');
    assert.equal(isTrustedSender('about:blank', pages), false);
    assert.equal(isTrustedSender('', pages), false);
    assert.equal(isTrustedSender(undefined, pages), false);
    assert.equal(isTrustedSender('not a url', pages), false);
  });

  it('trusts the electron-vite dev server in development, and nothing else', () => {
    const dev = { indexFile, devServerUrl: 'http://localhost:5173' };
    assert.equal(isTrustedSender('http://localhost:5173/#/devices', dev), true);
    assert.equal(isTrustedSender('http://localhost:5174/', dev), false);
  });
});

describe('OS notifications', () => {
  const signedIn = { status: 'signedIn' } as SessionState;
  it('say the same words as the in-app notice on a forced sign-out', () => {
    const next: SessionState = {
      status: 'signedOut',
      serverUrl: 'http://127.0.0.1:4000',
      keychain: { kind: 'os' },
      notice: { reason: 'revoked_by_user', at: new Date().toISOString(), byDeviceName: 'Work laptop' },
    };
    const n = notificationForState(signedIn, next);
    assert.equal(n?.title, 'Latch: Signed out');
    assert.match(n?.body ?? '', /^Signed out from 'Work laptop' at \d{1,2}:\d\d(\s[AP]M)?$/);
    assert.equal(n?.onClick, 'focusMain');
  });

  it('stay quiet when the person signed out themselves or nothing changed', () => {
    const plain: SessionState = { status: 'signedOut', serverUrl: 'x', keychain: { kind: 'os' } };
    assert.equal(notificationForState(signedIn, plain), undefined);
    assert.equal(notificationForState(plain, plain), undefined);
  });

  it('announce a new sign-in and open the devices window on click, in the OS’s language', () => {
    const strange: SessionView = {
      id: 'x',
      deviceName: 'Strange PC',
      platform: 'win32',
      appVersion: '1',
      ip: '203.0.113.7',
      location: { kind: 'internet', country: 'DE', city: 'Berlin' },
      createdAt: '',
      lastSeenAt: '',
      expiresAt: '',
      current: false,
      online: false,
    };
    const n = notificationForNewSignIn(strange);
    assert.equal(n.title, 'Latch: new sign-in');
    assert.match(n.body, /^'Strange PC' \(Windows\) signed in from Berlin, Germany, 203\.0\.113\.7\./);
    assert.equal(n.onClick, 'openDevices');
    // On a German OS, in German (main learns the OS's languages once the app is ready).
    try {
      speak(['de-DE', 'en-US']);
      const german = notificationForNewSignIn(strange);
      assert.equal(german.title, messagesFor(['de']).notification.newSignInTitle);
      assert.match(german.body, /^„Strange PC“ \(Windows\) hat sich aus Berlin, Deutschland \(203\.0\.113\.7\) angemeldet\./);
    } finally {
      speak(['en']);
    }
  });

  it('say whose sign-in was copied, and both places it was used from', () => {
    const n = notificationForCopiedSignIn({
      sessionId: 'x',
      deviceName: 'Home \u202Edesktop',
      platform: 'linux',
      usedFrom: { ip: '81.2.69.142', location: { kind: 'internet', country: 'GB', city: 'London' } },
      alsoFrom: { ip: '127.0.0.1', location: { kind: 'this_computer' } },
      at: new Date().toISOString(),
    });
    assert.equal(n.title, 'Latch: a copied key was used');
    assert.equal(
      n.body,
      "The key that kept 'Home desktop' signed in was in use in two places at once, 81.2.69.142 (London, United Kingdom) and 127.0.0.1 (this computer): one of them is a copy. Latch signed it out. Change your password.",
    );
    assert.equal(n.onClick, 'focusMain');
  });

  it('tell the other devices that sign-in approval was turned off, codes were made again or one was used', () => {
    const at = '2026-11-26T21:05:00.000Z';
    const time = () => '21:05';
    const off = notificationForAccountChange({ what: 'approval_turned_off', sessionId: 'x', byDeviceName: 'Work laptop', at }, time);
    assert.deepEqual(off, {
      title: 'Latch: sign-in approval turned off',
      body: "Turned off on 'Work laptop' at 21:05. Your password alone now signs in a new device. Not you? Change your password.",
      onClick: 'openDevices',
    });
    const codes = notificationForAccountChange({ what: 'recovery_codes_regenerated', sessionId: 'x', byDeviceName: 'Work laptop', at }, time);
    assert.equal(codes.body, "New recovery codes were made on 'Work laptop' at 21:05; the old ones no longer work. Not you? Change your password.");
    const used = notificationForAccountChange({ what: 'recovery_code_used', sessionId: 'x', byDeviceName: 'Spare \u202Elaptop', at, recoveryCodesLeft: 1 }, time);
    assert.equal(used.title, 'Latch: a recovery code was used');
    assert.equal(used.body, "'Spare laptop' signed in with a recovery code at 21:05; 1 code is left. Not you? Sign it out in Signed-in devices and change your password.");
  });

  it('carry no control or text-direction characters, even from a name stored before the server refused them', () => {
    const base = { id: 'x', platform: 'linux' as const, appVersion: '1', ip: '203.0.113.7', location: { kind: 'internet' as const }, createdAt: '', lastSeenAt: '', expiresAt: '', current: false, online: false };
    const n = notificationForNewSignIn({ ...base, deviceName: 'Work \u202Epot\u0000\u001b[2J laptop' });
    assert.match(n.body, /^'Work pot\[2J laptop' \(Linux\)/);
    const forced = notificationForState(signedIn, { status: 'signedOut', serverUrl: 'http://127.0.0.1:4000', keychain: { kind: 'os' }, notice: { reason: 'revoked_by_user', at: new Date().toISOString(), byDeviceName: 'Evil\u202Egnp.exe' } });
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    assert.ok(forced && !/[\u0000-\u001f\u202a-\u202e]/.test(forced.body + forced.title), forced?.body);
  });
});

describe('windows', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  it('reopens a window where it was, or centred when that place is off every screen', () => {
    assert.deepEqual(placeWindow(undefined, screen, { width: 560, height: 640 }), { width: 560, height: 640 });
    const saved = { x: 100, y: 80, width: 700, height: 500 };
    assert.deepEqual(placeWindow(saved, screen, { width: 1, height: 1 }), saved);
    assert.deepEqual(placeWindow({ x: 3000, y: 80, width: 700, height: 500 }, screen, { width: 1, height: 1 }), { width: 700, height: 500 });
  });

  it('remembers sizes and places per window, and survives a damaged file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latch-windows-'));
    try {
      const file = new WindowStateFile(join(dir, 'windows.json'));
      assert.equal(file.load('main'), undefined);
      file.save('main', { x: 10, y: 20, width: 600, height: 700 });
      file.save('devices', { x: 30, y: 40, width: 800, height: 600 });
      assert.deepEqual(new WindowStateFile(join(dir, 'windows.json')).load('main'), { x: 10, y: 20, width: 600, height: 700 });
      writeFileSync(join(dir, 'windows.json'), '{ not json');
      assert.equal(file.load('main'), undefined);
      file.save('main', { x: 1, y: 2, width: 10, height: 10 }); // too small to be a real window: ignored
      assert.equal(file.load('main'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('command line', () => {
  it('reads --profile (default "default") and refuses a name that is not a folder-safe word', () => {
    assert.deepEqual(parseLaunchOptions(['electron', '.'], {}), { profile: 'default', serverUrl: undefined });
    assert.equal(parseLaunchOptions(['electron', '.', '--profile', 'work'], {}).profile, 'work');
    assert.equal(parseLaunchOptions(['electron', '.', '--profile=home-2'], {}).profile, 'home-2');
    assert.equal(parseLaunchOptions([], { LATCH_SERVER_URL: 'https://latch.example.com' }).serverUrl, 'https://latch.example.com');
    assert.throws(() => parseLaunchOptions(['--profile', '../etc'], {}), /Invalid --profile "..\/etc"/);
  });

  it('a packaged app refuses to start with remote debugging or an inspector; development keeps them', () => {
    const none = () => false;
    assert.equal(refusedDebugSwitch(['latch', '--remote-debugging-port=9222'], true, none), 'remote-debugging-port');
    assert.equal(refusedDebugSwitch(['latch', '--inspect-brk'], true, none), 'inspect-brk');
    assert.equal(refusedDebugSwitch(['latch', '--remote-debugging-pipe'], true, none), 'remote-debugging-pipe');
    assert.equal(refusedDebugSwitch(['latch'], true, (name) => name === 'remote-debugging-port'), 'remote-debugging-port', 'a switch set other than on argv');
    assert.equal(refusedDebugSwitch(['latch', '--profile', 'work'], true, none), undefined);
    assert.equal(refusedDebugSwitch(['electron', '.', '--remote-debugging-port=9222'], false, none), undefined);
  });
});
