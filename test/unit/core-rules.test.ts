import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../electron/core/backoff.js';
import { parseServerUrl } from '../../electron/core/server-url.js';
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
  it('says who signed this device out and when, for every reason', () => {
    assert.equal(noticeText({ reason: 'revoked_by_user', at, byDeviceName: 'Work laptop' }, time), "Signed out from 'Work laptop' at 14:02");
    assert.equal(noticeText({ reason: 'revoked_by_user', at }, time), 'Signed out from another device at 14:02');
    assert.equal(noticeText({ reason: 'expired', at }, time), 'Your session expired. Sign in again to continue.');
    assert.match(noticeText({ reason: 'password_changed', at, byDeviceName: 'Work laptop' }, time), /^Your password was changed on another device/);
    assert.match(noticeText({ reason: 'evicted', at }, time), /^Signed out because too many devices were signed in/);
    assert.equal(noticeText({ reason: 'evicted', at, byDeviceName: 'New laptop' }, time), "Signed out at 14:02 because too many devices were signed in; 'New laptop' took its place");
    assert.match(noticeText({ reason: 'signed_out', at }, time), /signed out at 14:02/);
  });
});
