// The renderer's only way out: window.latch, typed from the IPC contract.
import type { IpcError, IpcResult, LatchBridge } from '../../shared/ipc.js';
import { messages } from '../../shared/messages.js';

declare global {
  interface Window {
    latch: LatchBridge;
  }
}

/** The value of a call, or the error it came back with. */
export async function unwrap<T>(result: Promise<IpcResult<T>>): Promise<{ value: T; error?: undefined } | { value?: undefined; error: IpcError }> {
  try {
    const r = await result;
    return r.ok ? { value: r.value } : { error: { ...r.error, message: messages.said(r.error) } };
  } catch {
    const lost = { code: 'bridge_failed', message: 'Latch lost contact with its background process. Restart the app.' };
    return { error: { ...lost, message: messages.said(lost) } };
  }
}
