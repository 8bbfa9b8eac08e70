// Electron glue: lifecycle, windows, IPC registration, menu, notifications.
// Everything that decides something lives in electron/core or ./policy.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, Notification, session, type IpcMainInvokeEvent } from 'electron';
import { IpcEvents, type SessionState } from '../../shared/ipc.js';
import { speak } from '../../shared/messages.js';
import { createIpcHandlers, eventPayload } from '../../shared/session/handlers.js';
import { CoreError } from '../../shared/session/errors.js';
import { DEFAULT_SERVER_URL, openProfile, profileDataDir } from '../core/profile.js';
import type { ControllerEvent } from '../../shared/session/runner.js';
import {
  isTrustedSender,
  notificationForAccountChange,
  notificationForNewSignIn,
  notificationForCopiedSignIn,
  notificationForSignInRequest,
  notificationForState,
  parseLaunchOptions,
  refusedDebugSwitch,
  WindowStateFile,
  type AppPages,
  type OsNotification,
} from './policy.js';
import { planUpdates } from './updates.js';
import { createAppWindow, type WindowContext } from './windows.js';

const debugSwitch = refusedDebugSwitch(process.argv, app.isPackaged, (name) => app.commandLine.hasSwitch(name));
if (debugSwitch) {
  process.stderr.write(`Latch does not start with --${debugSwitch}: it would let another program read your session.\n`);
  app.exit(1);
}

const launch = parseLaunchOptions(process.argv, process.env);
const appDataDir = join(app.getPath('appData'), 'Latch');
// One data folder per profile, which also makes the single-instance lock per profile.
app.setPath('userData', profileDataDir(appDataDir, launch.profile));

if (debugSwitch === undefined) {
  if (!app.requestSingleInstanceLock()) app.quit();
  else void app.whenReady().then(start);
}

const here = dirname(fileURLToPath(import.meta.url));

async function start(): Promise<void> {
  // The OS notifications in the OS's language, as the windows are.
  speak(app.getPreferredSystemLanguages());
  const pages: AppPages = { indexFile: join(here, '../renderer/index.html'), devServerUrl: app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL };
  const ctx: WindowContext = {
    pages,
    preload: join(here, '../preload/index.cjs'),
    windowState: new WindowStateFile(join(app.getPath('userData'), 'windows.json')),
    isDev: !app.isPackaged,
  };

  void startUpdates();
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  const controller = openProfile({
    profile: launch.profile,
    appDataDir,
    appVersion: app.getVersion(),
    defaultServerUrl: launch.serverUrl ?? DEFAULT_SERVER_URL,
  });

  let mainWindow: BrowserWindow | undefined;
  let devicesWindow: BrowserWindow | undefined;
  const showMain = () => {
    if (!mainWindow || mainWindow.isDestroyed()) {
      mainWindow = createAppWindow('main', ctx);
      mainWindow.on('closed', () => (mainWindow = undefined));
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  };
  const openDevicesWindow = () => {
    if (!devicesWindow || devicesWindow.isDestroyed()) {
      devicesWindow = createAppWindow('devices', ctx);
      devicesWindow.on('closed', () => (devicesWindow = undefined));
    }
    devicesWindow.focus();
  };

  for (const [channel, handler] of createIpcHandlers(controller, { openDevicesWindow })) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) =>
      isTrustedSender(event.senderFrame?.url, pages)
        ? handler(...args)
        : { ok: false, error: new CoreError('rejected', 'forbidden', { key: 'page_forbidden' }).toIpc() },
    );
  }

  const notify = (n: OsNotification) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: n.title, body: n.body });
    notification.on('click', n.onClick === 'openDevices' ? openDevicesWindow : showMain);
    notification.show();
  };

  let previous: SessionState = controller.getState();
  controller.subscribe((event: ControllerEvent) => {
    const payload = eventPayload(event);
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IpcEvents[event.type].channel, payload);
    if (event.type === 'state') {
      const forced = notificationForState(previous, event.state);
      previous = event.state;
      if (forced) {
        notify(forced);
        devicesWindow?.close();
        showMain();
      }
    } else if (event.type === 'newSignIns' && event.added) {
      notify(notificationForNewSignIn(event.added));
    } else if (event.type === 'copiedSignIns' && event.added) {
      notify(notificationForCopiedSignIn(event.added));
    } else if (event.type === 'signInRequests' && event.added) {
      notify(notificationForSignInRequest(event.added));
    } else if (event.type === 'accountChanged' && event.change) {
      notify(notificationForAccountChange(event.change));
    }
  });

  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
      { role: 'fileMenu' },
      { role: 'editMenu' },
      // Zoom for people who need larger text (Ctrl/Cmd + plus, minus, 0); the layout holds at 200 %.
      {
        label: 'View',
        submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
      },
      {
        label: 'Settings',
        submenu: [{ label: 'Signed-in devices…', accelerator: 'CmdOrCtrl+,', click: openDevicesWindow }],
      },
      { role: 'windowMenu' },
    ]),
  );

  app.on('second-instance', showMain);
  app.on('activate', showMain);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => controller.dispose());

  await controller.start();
  showMain();
}

/** Checks the configured feed now and then and installs a downloaded update when the app quits (see ./updates.ts). */
async function startUpdates(): Promise<void> {
  const builtIn = (JSON.parse(await readFile(join(app.getAppPath(), 'package.json'), 'utf8').catch(() => '{}')) as { latch?: { updateUrl?: string } }).latch?.updateUrl;
  const plan = planUpdates({ isPackaged: app.isPackaged, platform: process.platform, env: process.env, builtInUrl: builtIn, appVersion: app.getVersion() });
  if (!plan.enabled) return;
  const { autoUpdater } = (await import('electron-updater')).default;
  autoUpdater.setFeedURL({ provider: 'generic', url: plan.feedUrl });
  autoUpdater.allowPrerelease = plan.allowPrerelease;
  autoUpdater.allowDowngrade = false;
  autoUpdater.autoDownload = true;
  autoUpdater.autoInstallOnAppQuit = true;
  // A failed check says nothing to the person: the next one is hours away, and the app works as it is.
  autoUpdater.on('error', (error: Error) => process.stderr.write(`Latch update check failed: ${error.message}\n`));
  const check = () => void autoUpdater.checkForUpdates().catch(() => undefined);
  setTimeout(check, plan.firstCheckAfterMs).unref();
  setInterval(check, plan.checkEveryMs).unref();
}
