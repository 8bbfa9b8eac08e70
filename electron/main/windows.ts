// The two windows, hardened: isolated, sandboxed, no Node, no navigation away,
// no new windows, no permissions; sizes and places remembered.
import { BrowserWindow, screen } from 'electron';
import { placeWindow, WINDOW_DEFAULTS, type AppPages, type WindowStateFile, isAllowedNavigation } from './policy.js';

export interface WindowContext {
  pages: AppPages;
  preload: string;
  windowState: WindowStateFile;
  isDev: boolean;
}

export function createAppWindow(kind: 'main' | 'devices', ctx: WindowContext): BrowserWindow {
  const defaults = WINDOW_DEFAULTS[kind];
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const placed = placeWindow(ctx.windowState.load(kind), displays, defaults);
  const window = new BrowserWindow({
    ...placed,
    minWidth: defaults.minWidth,
    minHeight: defaults.minHeight,
    title: kind === 'main' ? 'Latch' : 'Signed-in devices – Latch',
    show: false,
    webPreferences: {
      preload: ctx.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      devTools: ctx.isDev,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, ctx.pages)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  const save = () => {
    if (!window.isDestroyed() && !window.isMinimized() && !window.isMaximized()) ctx.windowState.save(kind, window.getBounds());
  };
  window.on('resized', save);
  window.on('moved', save);
  window.on('close', save);

  const hash = kind === 'main' ? '/' : '/devices';
  if (ctx.pages.devServerUrl) void window.loadURL(`${ctx.pages.devServerUrl}#${hash}`);
  else void window.loadFile(ctx.pages.indexFile, { hash });
  return window;
}
