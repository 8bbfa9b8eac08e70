// Child process for the "keychain daemon killed" test, run inside its own
// D-Bus session with its own gnome-keyring: signs in with the OS keychain,
// kills the daemon, then reports what the core did. Prints JSON; never the token.
import { execSync } from 'node:child_process';
import { openProfile } from '../../electron/core/profile.js';

const [serverUrl, appDataDir, email, password] = process.argv.slice(2) as [string, string, string, string];
const open = () => openProfile({ profile: 'default', appDataDir, appVersion: '0.1.0-test', defaultServerUrl: serverUrl });
const controller = open();
await controller.start();
await controller.signIn({ mode: 'signIn', serverUrl, email, password });
const before = controller.getState();

const pid = execSync(
  "dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}'",
).toString().trim();
process.kill(Number(pid), 'SIGKILL');

const sessionsAfterKill = (await controller.listSessions()).length;
const afterSignOut = await controller.signOut();
const afterSignIn = await controller.signIn({ mode: 'signIn', serverUrl, email, password });
controller.dispose();
const nextStart = await open().start();
process.stdout.write(JSON.stringify({ before, sessionsAfterKill, afterSignOut, afterSignIn, nextStart }));
process.exit(0);
