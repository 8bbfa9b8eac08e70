// The renderer's only way out: window.latch, typed from the IPC contract.
import type { IpcError, IpcResult, LatchBridge } from '../../shared/ipc.js';
import { detailsSaid, said } from '../../shared/messages.js';
import { CoreError } from '../../shared/session/errors.js';

declare global {
  interface Window {
    latch: LatchBridge;
  }
}

/** An error in the reader's language: its sentence and each field's refusal (shared/messages.ts). */
const inWords = (error: IpcError): IpcError => ({ ...error, message: said(error), ...(error.details ? { details: detailsSaid(error.details) } : {}) });

/** The value of a call, or the error it came back with, in the reader's language. */
export async function unwrap<T>(result: Promise<IpcResult<T>>): Promise<{ value: T; error?: undefined } | { value?: undefined; error: IpcError }> {
  try {
    const r = await result;
    return r.ok ? { value: r.value } : { error: inWords(r.error) };
  } catch {
    return { error: inWords(new CoreError('offline', 'bridge_failed', { key: 'bridge_lost' }).toIpc()) };
  }
}
