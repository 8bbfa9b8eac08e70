// Child process for the "no keychain" test: started without a reachable D-Bus,
// it signs in (to an account the test made) and prints the resulting state as JSON. The token never leaves it.
import { openProfile } from '../../electron/core/profile.js';

const [serverUrl, appDataDir, email, password] = process.argv.slice(2) as [string, string, string, string];
const controller = openProfile({ profile: 'default', appDataDir, appVersion: '0.1.0-test', defaultServerUrl: serverUrl });
await controller.start();
await controller.signIn({ mode: 'signIn', serverUrl, email, password });
const signedIn = controller.getState();
const afterRestart = await openProfile({ profile: 'default', appDataDir, appVersion: '0.1.0-test', defaultServerUrl: serverUrl }).start();
process.stdout.write(JSON.stringify({ signedIn, afterRestart }));
process.exit(0);
