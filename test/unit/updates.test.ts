import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUpdates, type UpdateInputs } from '../../electron/main/updates.js';

const packaged: UpdateInputs = { isPackaged: true, platform: 'win32', env: {}, builtInUrl: 'https://updates.latch.example/desktop/', appVersion: '1.2.0' };

describe('desktop updates', () => {
  it('check a configured https feed in a packaged build: first after 30 s, then every 6 hours', () => {
    assert.deepEqual(planUpdates(packaged), {
      enabled: true,
      feedUrl: 'https://updates.latch.example/desktop/',
      allowPrerelease: false,
      firstCheckAfterMs: 30_000,
      checkEveryMs: 6 * 3_600_000,
    });
  });

  for (const [label, change, reason] of [
    ['a development build', { isPackaged: false }, /not a packaged build/],
    ['no feed at all', { builtInUrl: undefined }, /no update feed is configured/],
    ['an empty feed', { builtInUrl: '  ' }, /no update feed is configured/],
    ['LATCH_UPDATES=off', { env: { LATCH_UPDATES: 'off' } }, /turned off/],
    ['a feed over plain http elsewhere', { builtInUrl: 'http://updates.latch.example/' }, /must be https/],
    ['a feed with a password in it', { builtInUrl: 'https://user:secret@updates.latch.example/' }, /user name or password/],
    ['something that is not a URL', { builtInUrl: 'updates' }, /not a URL/],
    ['a .deb install on Linux (no APPIMAGE)', { platform: 'linux' as const }, /package manager/],
    ['an unknown platform', { platform: 'freebsd' as const }, /no updates on freebsd/],
  ] as const) {
    it(`stay off for ${label}, saying why`, () => {
      const plan = planUpdates({ ...packaged, ...change });
      assert.equal(plan.enabled, false);
      assert.match(plan.enabled ? '' : plan.reason, reason);
    });
  }

  it('let LATCH_UPDATE_URL replace the built-in feed, allow http on this computer, and update an AppImage', () => {
    const plan = planUpdates({ ...packaged, platform: 'linux', env: { LATCH_UPDATE_URL: 'http://127.0.0.1:8080/feed/', APPIMAGE: '/opt/Latch.AppImage' } });
    assert.ok(plan.enabled);
    assert.equal(plan.feedUrl, 'http://127.0.0.1:8080/feed/');
  });

  it('offer pre-releases only to a pre-release', () => {
    const plan = planUpdates({ ...packaged, appVersion: '1.3.0-beta.2' });
    assert.ok(plan.enabled && plan.allowPrerelease);
  });
});
