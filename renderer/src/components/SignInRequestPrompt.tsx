// A new device asks to sign in to the account (docs/architecture.md, "Sign-in approval"): a modal
// dialog in every window of every signed-in device, until one answers. The right number approves;
// another number, or Deny, refuses. It takes the focus and keeps it, and Escape does not answer.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { SignInRequestView } from '../../../shared/api.js';
import { messages } from '../../../shared/messages.js';
import { timeOf, systemOf } from '../format.js';
import { useLatch } from '../store/index.js';
import { focusHeading } from './focus.js';
import { useBusy } from './use-busy.js';

const t = messages.approval;

/** The oldest request first: one question at a time. */
export function SignInRequestPrompt() {
  const requests = useLatch((s) => s.signInRequests);
  const [refused, setRefused] = useState<{ name: string; outcome: 'denied' | 'wrong_number' } | undefined>();
  // Where the focus was when the first dialog of a run (questions, then a "denied") opened: it goes back there.
  const returnTo = useRef<HTMLElement | null>(null);
  const request = requests[0];
  if (refused) return <Refused name={refused.name} outcome={refused.outcome} returnTo={returnTo} onClose={() => setRefused(undefined)} />;
  if (!request) return null;
  return <Prompt key={request.id} request={request} returnTo={returnTo} onRefused={(outcome) => setRefused({ name: request.deviceName, outcome })} />;
}

/** Focused when the question came, if it still can be: a dialog that goes leaves the focus where it found it. */
function focusable(element: Element | null): HTMLElement | null {
  return element instanceof HTMLElement && element !== document.body && !element.closest('dialog') ? element : null;
}

function useModal(returnTo: RefObject<HTMLElement | null>): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    returnTo.current ??= focusable(document.activeElement);
    element.showModal();
    element.querySelector<HTMLElement>('h2')?.focus();
    // Escape would close it without an answer, and the question would still stand.
    const keep = (event: Event) => event.preventDefault();
    element.addEventListener('cancel', keep);
    return () => {
      element.removeEventListener('cancel', keep);
      if (element.open) element.close();
      // Gone with the dialog, the focus would fall to the page: back where it was, or to the heading. Not
      // when what came next took it already (the next question, the password form).
      requestAnimationFrame(() => {
        if (document.querySelector('dialog[open]')) return;
        const target = returnTo.current;
        returnTo.current = null;
        if (focusable(document.activeElement)?.isConnected) return;
        if (target?.isConnected) target.focus();
        else focusHeading();
      });
    };
  }, [returnTo]);
  return dialog;
}

function Prompt({ request, returnTo, onRefused }: { request: SignInRequestView; returnTo: RefObject<HTMLElement | null>; onRefused: (outcome: 'denied' | 'wrong_number') => void }) {
  const answer = useLatch((s) => s.answerSignInRequest);
  const announce = useLatch((s) => s.announce);
  const [busy, whileBusy] = useBusy();
  const [error, setError] = useState<string | undefined>();
  const dialog = useModal(returnTo);
  const where = [messages.place(request.location, true), request.ip].filter(Boolean).join(', ');

  async function reply(body: { number: number } | { deny: true }) {
    const result = await whileBusy(() => answer(request.id, body));
    if ('outcome' in result) {
      if (result.outcome === 'denied' || result.outcome === 'wrong_number') onRefused(result.outcome);
      // Said, since the prompt just goes: the new device's sign-in raises no alert here (this device asked for it).
      if (result.outcome === 'approved') announce(t.approvedAnnounce(request.deviceName));
      // One more try: the question stands, saying so; the heading takes the focus the busy button lost.
      if (result.outcome === 'try_again') requestAnimationFrame(() => dialog.current?.querySelector<HTMLElement>('h2')?.focus());
      return;
    }
    if (result.code === 'conflict' || result.code === 'not_found') announce(t.answeredElsewhere);
    else setError(result.message);
  }

  return (
    <dialog ref={dialog} className="prompt" aria-labelledby={`req-${request.id}`} aria-describedby={`req-${request.id}-text`}>
      <h2 id={`req-${request.id}`} tabIndex={-1}>
        {request.reset ? t.promptTitleReset(request.deviceName) : t.promptTitle(request.deviceName)}
      </h2>
      <p id={`req-${request.id}-text`}>
        {t.promptText(systemOf(request), where, timeOf(request.createdAt))} {request.reset && `${t.promptReset} `}
        {t.promptPick}
      </p>
      {request.wrongPickBy !== undefined && (
        <p className="form-error" role="alert">
          {t.wrongPickPrompt(request.deviceName, request.wrongPickBy)}
        </p>
      )}
      <div className="choices" role="group" aria-label={t.promptPick}>
        {request.choices.map((n) => (
          <button key={n} type="button" className="choice" aria-label={t.pickNamed(n)} disabled={busy} onClick={() => void reply({ number: n })}>
            {n}
          </button>
        ))}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" className="danger" disabled={busy} onClick={() => void reply({ deny: true })}>
          {t.deny}
        </button>
      </div>
    </dialog>
  );
}

/** After a no: if it was not the person, someone has the password. */
function Refused({ name, outcome, returnTo, onClose }: { name: string; outcome: 'denied' | 'wrong_number'; returnTo: RefObject<HTMLElement | null>; onClose: () => void }) {
  const setPasswordFormOpen = useLatch((s) => s.setPasswordFormOpen);
  const dialog = useModal(returnTo);
  return (
    <dialog ref={dialog} className="prompt" aria-labelledby="refused-title" aria-describedby="refused-text">
      <h2 id="refused-title" tabIndex={-1}>
        {outcome === 'denied' ? t.refusedTitle.denied : t.refusedTitle.wrong_number}: {name}
      </h2>
      <p id="refused-text">{outcome === 'denied' ? t.denied : t.notApproved}</p>
      <div className="actions">
        <button
          type="button"
          className="primary"
          onClick={() => {
            onClose();
            setPasswordFormOpen(true);
            requestAnimationFrame(() => document.querySelector<HTMLInputElement>('input[autocomplete="current-password"]')?.focus());
          }}
        >
          {t.changePassword}
        </button>
        <button type="button" onClick={onClose}>
          {messages.common.close}
        </button>
      </div>
    </dialog>
  );
}
