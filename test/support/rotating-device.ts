// Child process for the token rotation tests: a desktop core over the real
// keychain that rotates its token every 200 ms. With `crash`, the keychain
// write of a rotated token never finishes: the process says so on stdout and
// waits to be killed, as a crash between the server's answer and the write
// would leave it. Otherwise it starts, reports its state once online and
// exits. Prints JSON lines; never a token.
import { openProfile } from '../../electron/core/profile.js';
import { loadKeytar, type SecretBackend } from '../../electron/core/token-vault.js';
import type { SessionState } from '../../shared/ipc.js';

const [serverUrl, appDataDir, mode, email, password] = process.argv.slice(2) as [string, string, 'crash' | 'restart', string, string];
const keytar = await loadKeytar();
let writes = 0;
const backend: SecretBackend = {
  getPassword: (service, account) => keytar.getPassword(service, account),
  deletePassword: (service, account) => keytar.deletePassword(service, account),
  async setPassword(service, account, token) {
    // The first write is the sign-in's; the next one is a rotation's.
    if (mode === 'crash' && ++writes === 2) {
      process.stdout.write(`${JSON.stringify({ writingRotatedToken: true })}\n`);
      return new Promise<void>(() => undefined);
    }
    return keytar.setPassword(service, account, token);
  },
};
const controller = openProfile({
  profile: 'default',
  appDataDir,
  appVersion: '0.1.0-test',
  defaultServerUrl: serverUrl,
  rotateEveryMs: 200,
  secretBackend: async () => backend,
});
const online = (state: SessionState) => state.status === 'signedIn' && state.connection === 'online';
const report = (state: SessionState) => process.stdout.write(`${JSON.stringify({ state })}\n`);

if (mode === 'crash') {
  await controller.start();
  await controller.signIn({ mode: 'signIn', serverUrl, email, password });
} else {
  await controller.start();
}
if (online(controller.getState())) report(controller.getState());
controller.subscribe((event) => {
  if (event.type === 'state' && (online(event.state) || event.state.status === 'signedOut')) report(event.state);
});
