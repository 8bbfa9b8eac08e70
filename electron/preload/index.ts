// window.latch: named functions and event subscriptions built from the channel
// list in shared/ipc.ts. ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IpcCalls, IpcEvents, type IpcEventName, type LatchBridge } from '../../shared/ipc.js';

const calls = Object.fromEntries(
  Object.entries(IpcCalls).map(([name, call]) => [name, (...args: unknown[]) => ipcRenderer.invoke(call.channel, ...args)]),
);

const bridge = {
  ...calls,
  on(event: IpcEventName, listener: (payload: unknown) => void) {
    const channel = IpcEvents[event]?.channel;
    if (!channel) throw new Error(`Unknown Latch event: ${String(event)}`);
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => void ipcRenderer.removeListener(channel, wrapped);
  },
} as unknown as LatchBridge;

contextBridge.exposeInMainWorld('latch', bridge);
