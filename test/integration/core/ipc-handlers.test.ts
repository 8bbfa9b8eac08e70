// The IPC handler table under bad input: every handler answers a typed error
// result and the session state does not change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIpcHandlers, type IpcHandler } from '../../../shared/session/handlers.js';
import { IpcCalls } from '../../../shared/ipc.js';
import { SIGN_UP_SUBJECT, uniqueEmail } from '../../../kit/http.js';
import { codeMailedTo } from '../../../kit/mailbox.js';
import { disposeDevice, isOnline, newDevice, waitForState, type TestDevice } from '../../support/devices.js';
import { startTestServer, tempSqlite, type TestServer } from '../../support/server.js';

const huge = 'x'.repeat(1_000_000);
const BAD_ARGUMENTS: unknown[][] = [
  [undefined],
  [null],
  [42],
  [huge],
  [{}],
  [[]],
  [{ mode: 'signIn' }],
  [{ mode: 'hack', serverUrl: 'http://127.0.0.1', email: 'a@b.co', password: 'x' }],
  [{ mode: 'signIn', serverUrl: huge, email: 'a@b.co', password: 'x' }],
  [{ mode: 'signIn', serverUrl: 'http://127.0.0.1', email: 'a@b.co', password: huge }],
  [{ mode: 'signIn', serverUrl: 'http://127.0.0.1', email: 'a@b.co', password: 'x', extra: true }],
  [JSON.parse('{"__proto__": {"polluted": true}, "currentPassword": "x"}')],
  [{ currentPassword: 'x', newPassword: 'short' }],
  ['a', 'b'],
  [1, 2, 3],
];

describe('IPC handler table', () => {
  const sqlite = tempSqlite();
  let server: TestServer;
  let device: TestDevice;
  let handlers: Map<string, IpcHandler>;
  let devicesWindowOpened = 0;

  before(async () => {
    server = await startTestServer(sqlite.store);
    device = newDevice(server.url, { deviceName: 'Laptop' });
    handlers = createIpcHandlers(device.controller, { openDevicesWindow: () => devicesWindowOpened++ });
    await device.controller.start();
    const email = uniqueEmail();
    const signIn = await handlers.get(IpcCalls.signIn.channel)!({ mode: 'createAccount', serverUrl: server.url, email, password: 'correct horse battery' });
    assert.equal(signIn.ok, true);
    const withCode = await handlers.get(IpcCalls.signInWithCode.channel)!(await codeMailedTo(email, SIGN_UP_SUBJECT), '');
    assert.equal(withCode.ok, true);
    await waitForState(device.controller, isOnline);
  });
  after(async () => {
    disposeDevice(device);
    await server.close();
    sqlite.dispose();
  });

  it('has a handler for every channel of the contract', () => {
    assert.deepEqual([...handlers.keys()].sort(), Object.values(IpcCalls).map((c) => c.channel).sort());
  });

  it('answers bad input to every handler with a clear error and leaves the state as it was', async () => {
    const before = JSON.stringify(device.controller.getState());
    let checked = 0;
    for (const [name, call] of Object.entries(IpcCalls)) {
      const handler = handlers.get(call.channel)!;
      for (const args of BAD_ARGUMENTS) {
        if (call.args.safeParse(args).success) continue; // a valid call is not bad input
        const result = await handler(...args);
        assert.equal(result.ok, false, `${name}(${JSON.stringify(args).slice(0, 80)}) was accepted`);
        if (!result.ok) {
          assert.equal(result.error.code, 'invalid_argument', name);
          assert.ok(result.error.message.length > 0 && result.error.message.length < 300, `${name}: ${result.error.message.slice(0, 100)}`);
        }
        checked++;
      }
    }
    assert.ok(checked > 150, `only ${checked} bad calls were made`);
    assert.equal(JSON.stringify(device.controller.getState()), before);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(devicesWindowOpened, 0);
  });

  it('never returns the token, whatever it is asked', async () => {
    const token = await (await import('../../support/devices.js')).keychainEntry(device.account);
    assert.ok(token);
    for (const channel of [IpcCalls.getState.channel, IpcCalls.listSessions.channel, IpcCalls.securityEvents.channel]) {
      const result = await handlers.get(channel)!();
      assert.equal(result.ok, true);
      assert.ok(!JSON.stringify(result).includes(token.slice(3)), `${channel} leaked the token`);
    }
  });

  it('turns a server refusal into an error result the UI can show', async () => {
    const result = await handlers.get(IpcCalls.changePassword.channel)!({ currentPassword: 'not it', newPassword: 'a long new passphrase' });
    assert.deepEqual(result, { ok: false, error: { code: 'invalid_password', message: 'The current password is not right.', say: { key: 'current_password_wrong' } } });
    const opened = await handlers.get(IpcCalls.openDevicesWindow.channel)!();
    assert.deepEqual(opened, { ok: true, value: null });
    assert.equal(devicesWindowOpened, 1);
  });

  it('holds a passkey’s answer to a request body’s size and plain data: a huge, deeply nested or looping one is refused here, the device stays signed in', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const answer = (clientExtensionResults: unknown) => ({
      id: 'A'.repeat(43),
      rawId: 'A'.repeat(43),
      type: 'public-key',
      response: { clientDataJSON: 'AA', authenticatorData: 'AA', signature: 'AA' },
      clientExtensionResults,
    });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const looping: Record<string, unknown> = {};
    looping.self = looping;
    for (const extensions of [{ big: huge }, deep, looping]) {
      for (const channel of [IpcCalls.reauthenticateWithPasskey.channel, IpcCalls.signInWithPasskey.channel]) {
        const result = await handlers.get(channel)!(id, answer(extensions));
        assert.equal(result.ok, false);
        if (!result.ok) assert.equal(result.error.code, 'invalid_argument');
      }
    }
    assert.equal(device.controller.getState().status, 'signedIn');
  });
});
