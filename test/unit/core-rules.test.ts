import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../shared/session/backoff.js';
import { osDescription } from '../../electron/core/device.js';
import { parseServerUrl } from '../../shared/session/server-url.js';
import { timeOf } from '../../shared/dates.js';
import { noticeText } from '../../shared/notice-text.js';

describe('reconnect backoff', () => {
  it('starts at 0.5 s, doubles, and never waits more than 30 s', () => {
    assert.equal(backoffDelay(0, () => 0), 500);
    assert.equal(backoffDelay(0, () => 1), 500);
    assert.equal(backoffDelay(3, () => 1), 4_000);
    assert.equal(backoffDelay(3, () => 0), 2_000);
    assert.equal(backoffDelay(20, () => 1), 30_000);
    assert.equal(backoffDelay(1_000, () => 1), 30_000);
  });

  it('spreads reconnects of many devices over the upper half of the window', () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelay(6));
    assert.ok(Math.min(...delays) >= 15_000 && Math.max(...delays) <= 30_000);
    assert.ok(new Set(delays).size > 500, 'jitter spreads them out');
  });
});

describe('server address', () => {
  it('accepts https anywhere and plain http on this machine only', () => {
    assert.equal(parseServerUrl('https://latch.example.com/some/path'), 'https://latch.example.com');
    assert.equal(parseServerUrl(' http://127.0.0.1:4000 '), 'http://127.0.0.1:4000');
    assert.equal(parseServerUrl('http://localhost:4000'), 'http://localhost:4000');
    assert.equal(parseServerUrl('http://[::1]:4000'), 'http://[::1]:4000');
    assert.equal(parseServerUrl('http://127.8.9.10'), 'http://127.8.9.10');
  });

  for (const [input, message] of [
    ['http://latch.example.com', /Use https:\/\/latch\.example\.com/],
    ['http://192.168.1.10:4000', /only uses plain http on this computer/],
    ['http://127.0.0.1.evil.com', /only uses plain http on this computer/],
    ['ftp://latch.example.com', /must start with https:\/\//],
    ['latch.example.com', /Enter the server address as a URL/],
    ['', /Enter the server address as a URL/],
  ] as const) {
    it(`refuses ${JSON.stringify(input)} with a message that says what to do`, () => {
      assert.throws(() => parseServerUrl(input), message);
    });
  }
});

describe('forced sign-out notice', () => {
  const at = '2026-11-24T14:02:00.000Z';
  const time = () => '14:02';
  it('says the time alone today, and the date with it before today', () => {
    const today = timeOf(at, new Date(at));
    const later = timeOf(at, new Date(Date.parse(at) + 3 * 86_400_000));
    assert.doesNotMatch(today, /Nov|24/);
    assert.match(later, /Nov/);
    assert.ok(later.includes(today.replace(/\s/g, ' ').split(' ')[0]!.split(':')[1]!), `${later} holds the minutes of ${today}`);
  });
  it('says who signed this device out and when, for every reason', () => {
    assert.equal(noticeText({ reason: 'revoked_by_user', at, byDeviceName: 'Work laptop' }, time), "Signed out from 'Work laptop' at 14:02");
    assert.equal(noticeText({ reason: 'revoked_by_user', at }, time), 'Signed out from another device at 14:02');
    assert.equal(noticeText({ reason: 'expired', at }, time), 'Latch signs a device out after a while unused, and after a few months in any case. Sign in again to continue.');
    assert.match(noticeText({ reason: 'password_changed', at, byDeviceName: 'Work laptop' }, time), /^Your password was changed on another device/);
    assert.equal(noticeText({ reason: 'evicted', at }, time), 'Signed out at 14:02 because too many devices were signed in');
    assert.equal(
      noticeText({ reason: 'evicted', at, byDeviceName: 'New laptop', byLocation: { kind: 'internet', country: 'GB', city: 'London' } }, time),
      "Signed out at 14:02 to make room for 'New laptop' signing in from London, United Kingdom: too many devices were signed in",
    );
    assert.match(noticeText({ reason: 'signed_out', at }, time), /signed out at 14:02/);
  });
});

describe('OS name sent at sign-in', () => {
  const cases: Array<[Parameters<typeof osDescription>[0], string | undefined]> = [
    [{ platform: 'linux', release: '6.8.0-45-generic', osRelease: 'NAME="Ubuntu"\nVERSION_ID="24.04"\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n' }, 'Ubuntu 24.04'],
    [{ platform: 'linux', release: '6.12.0', osRelease: 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\n' }, 'Debian GNU/Linux 13'],
    [{ platform: 'linux', release: '6.9.1-arch1', osRelease: 'NAME="Arch Linux"\nID=arch\n' }, 'Arch Linux'],
    [{ platform: 'linux', release: '6.1.0', osRelease: undefined }, 'Linux 6.1.0'],
    [{ platform: 'darwin', release: '24.2.0' }, 'macOS 15.2'],
    [{ platform: 'darwin', release: '20.6.0' }, 'macOS 11.6'],
    [{ platform: 'darwin', release: '25.1.0' }, 'macOS 26.1'],
    [{ platform: 'darwin', release: '19.6.0' }, 'macOS 10.15'],
    [{ platform: 'win32', release: '10.0.22631' }, 'Windows 11'],
    [{ platform: 'win32', release: '10.0.19045' }, 'Windows 10'],
    [{ platform: 'freebsd', release: '14.1' }, undefined],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${input.platform} ${input.release} as ${expected ?? 'unknown'}`, () => assert.equal(osDescription(input), expected));
  }

  it('never sends what the server would refuse: a cut emoji, a name of nothing visible, a name posing as a status', () => {
    const emoji = osDescription({ platform: 'linux', release: '6', osRelease: `NAME="${'x'.repeat(62)}😀😀"` });
    assert.equal(emoji, undefined, 'emoji are not letters, digits or marks');
    assert.equal(osDescription({ platform: 'linux', release: '6', osRelease: `NAME="${'é'.repeat(70)}"` }), 'é'.repeat(64));
    assert.equal(osDescription({ platform: 'linux', release: '6', osRelease: 'NAME="\u200D"' }), undefined);
    assert.equal(osDescription({ platform: 'linux', release: '6', osRelease: 'NAME="Debian · online now"' }), undefined);
  });

  it('never sends control or direction characters from a hostile os-release', () => {
    assert.equal(osDescription({ platform: 'linux', release: '6', osRelease: 'NAME="Evil\u202E\u0007OS"\nVERSION_ID="1"' }), 'EvilOS 1');
  });
});
