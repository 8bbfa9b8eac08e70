// The account's passkeys (docs/architecture.md, "Passkeys"): listed with when each was added and last used,
// whether its provider syncs it, and whether a copy of it was used; added (a name, then the browser's own
// prompt), renamed and removed. Adding and removing need recent authentication: the password, or a passkey,
// asked in place. A window that cannot use passkeys (the packaged app's page has no web address) still lists,
// renames and removes them, and says where to add one instead.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { PasskeyView } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import type { IpcError } from '../../../../shared/ipc.js';
import { Field, FormError } from '../../components/Field.js';
import { ReauthForm } from '../../components/ReauthForm.js';
import { useBusy } from '../../components/use-busy.js';
import { dateOf, timeAgo } from '../../format.js';
import { passkeysHere, whyNoPasskeys } from '../../passkeys.js';
import { useLatch } from '../../store/index.js';
import { RenameForm } from './RenameForm.js';
import { SettingCard } from './SettingCard.js';

const t = messages.passkeys;
const needsReauth = (error: IpcError) => error.code === 'reauth_required';

export function PasskeysSetting({ offline }: { offline: boolean }) {
  const passkeys = useLatch((s) => s.passkeys);
  const error = useLatch((s) => s.passkeysError);
  const load = useLatch((s) => s.loadPasskeys);
  const serverUrl = useLatch((s) => ('serverUrl' in s.session ? s.session.serverUrl : undefined));
  const [adding, setAdding] = useState(false);
  const [here] = useState(passkeysHere);
  const opener = useRef<HTMLButtonElement>(null);
  const whyNotId = useId();
  useEffect(() => {
    if (!offline) void load();
  }, [offline, load]);

  const backToOpener = () => requestAnimationFrame(() => opener.current?.focus());
  const usable = passkeys?.filter((p) => !p.clonedAt).length ?? 0;
  const status = passkeys && (passkeys.length === 0 ? t.none : usable === 0 ? t.noneUsable : t.some(usable));
  const whyNot = whyNoPasskeys(here, serverUrl);
  return (
    <SettingCard id="passkeys-title" title={t.settingTitle} label={t.settingLabel} status={status} error={error} offline={offline}>
      {passkeys && passkeys.length > 0 && (
        <ul className="passkeys" aria-label={t.listLabel}>
          {passkeys.map((passkey) => (
            <PasskeyRow key={passkey.id} passkey={passkey} offline={offline} onRemoved={backToOpener} />
          ))}
        </ul>
      )}
      {passkeys &&
        (adding ? (
          <AddPasskey
            onDone={() => {
              setAdding(false);
              backToOpener();
            }}
          />
        ) : (
          <div className="actions">
            <button type="button" ref={opener} disabled={offline || whyNot !== undefined} aria-describedby={whyNot ? whyNotId : undefined} onClick={() => setAdding(true)}>
              {t.add}
            </button>
          </div>
        ))}
      {passkeys && whyNot && (
        <p className="muted" id={whyNotId}>
          {whyNot}
        </p>
      )}
    </SettingCard>
  );
}

/** A name, then the browser's prompt; the password (or a passkey) first when the server asks for it. */
function AddPasskey({ onDone }: { onDone: () => void }) {
  const add = useLatch((s) => s.addPasskey);
  const hasPasskey = useLatch((s) => s.passkeys?.some((p) => !p.clonedAt) ?? false);
  const announce = useLatch((s) => s.announce);
  const deviceName = useLatch((s) => (s.session.status === 'signedIn' ? s.session.session.deviceName : undefined));
  const [name, setName] = useState(deviceName ?? t.defaultName);
  const [errors, setErrors] = useState<{ name?: string | undefined; form?: string | undefined }>({});
  const [reauth, setReauth] = useState(false);
  const [busy, whileBusy] = useBusy();
  const field = useRef<HTMLInputElement>(null);

  /** Resolves once done or failed; a failure is shown, and the form stays for another try. */
  async function create(): Promise<void> {
    const result = await whileBusy(() => add(name.trim()));
    if (!('code' in result)) {
      announce(t.added(result.name));
      return onDone();
    }
    if (needsReauth(result)) return setReauth(true);
    const detail = result.details?.[0]?.message;
    setErrors(detail ? { name: detail } : { form: result.message });
    field.current?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!name.trim()) return setErrors({ name: messages.devices.enterName }), field.current?.focus();
    if (name.trim().length > 64) return setErrors({ name: t.nameTooLong }), field.current?.focus();
    setErrors({});
    await create();
  }

  if (reauth) {
    return (
      <ReauthForm
        action={t.addAction}
        confirmLabel={t.create}
        finishingLabel={t.creating}
        tone="primary"
        hint={hasPasskey && passkeysHere() === 'available' ? t.addReauthHintWithPasskey : t.addReauthHint}
        onConfirmed={async () => {
          setReauth(false);
          await create();
        }}
        onCancel={() => {
          setReauth(false);
          onDone();
        }}
      />
    );
  }
  return (
    <form className="add-passkey" onSubmit={submit} noValidate aria-label={t.addTitle} onKeyDown={(e) => e.key === 'Escape' && !busy && onDone()}>
      <Field ref={field} label={t.nameLabel} hint={t.nameHint} value={name} onChange={(e) => setName(e.target.value)} error={errors.name} announceError maxLength={200} autoFocus />
      <FormError message={errors.form} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? t.creating : t.create}
        </button>
        <button type="button" onClick={onDone} disabled={busy}>
          {messages.common.cancel}
        </button>
      </div>
    </form>
  );
}

/** `onRemoved`: its row is gone with the focused button, so the card puts the focus somewhere that stays. */
function PasskeyRow({ passkey, offline, onRemoved }: { passkey: PasskeyView; offline: boolean; onRemoved: () => void }) {
  const rename = useLatch((s) => s.renamePasskey);
  const remove = useLatch((s) => s.removePasskey);
  const announce = useLatch((s) => s.announce);
  const [mode, setMode] = useState<'rename' | 'remove' | 'reauth' | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, whileBusy] = useBusy();
  const errorId = useId();
  const renameButton = useRef<HTMLButtonElement>(null);
  const removeButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (mode === 'remove') confirmButton.current?.focus();
  }, [mode]);
  const back = (to: typeof renameButton) => {
    setMode(undefined);
    setError(undefined);
    requestAnimationFrame(() => to.current?.focus());
  };

  /** Removed, or why not; the password first when the server asks for it. */
  async function removeIt(): Promise<void> {
    const failed = await whileBusy(() => remove(passkey.id));
    if (!failed) {
      announce(t.removed(passkey.name));
      return onRemoved();
    }
    if (needsReauth(failed)) return setMode('reauth');
    setMode('remove');
    setError(failed.message);
  }

  const used = passkey.lastUsedAt ? t.lastUsed(timeAgo(passkey.lastUsedAt)) : t.neverUsed;
  return (
    <li className="passkey">
      <div className="passkey-main">
        <strong className="passkey-name">{passkey.name}</strong>
        <p className="muted">
          {t.addedOn(dateOf(passkey.createdAt))} · {used}
          {passkey.synced ? ` · ${t.synced}` : ''}
        </p>
        {passkey.clonedAt && <p className="warning passkey-copied">{t.copied}</p>}
      </div>
      {mode === 'rename' ? (
        <RenameForm
          label={t.renameLabel(passkey.name)}
          formLabel={t.renameLabel(passkey.name)}
          initial={passkey.name}
          tooLong={t.nameTooLong}
          save={async (name) => {
            const result = await rename(passkey.id, name.trim());
            if ('code' in result) return result.details?.[0]?.message ?? result.message;
            announce(t.renamed(result.name));
            return undefined;
          }}
          onDone={() => back(renameButton)}
        />
      ) : mode === 'remove' ? (
        <div className="confirm" role="group" aria-labelledby={`${errorId}-ask`} onKeyDown={(e) => e.key === 'Escape' && !busy && back(removeButton)}>
          <p className="confirm-question" id={`${errorId}-ask`}>
            {t.removeAsk(passkey.name)}
          </p>
          <button type="button" className="danger" ref={confirmButton} aria-describedby={`${errorId}-ask`} disabled={busy || offline} aria-busy={busy} onClick={() => void removeIt()}>
            {t.removeConfirm}
          </button>
          <button type="button" onClick={() => back(removeButton)} disabled={busy}>
            {messages.common.cancel}
          </button>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
      ) : mode === 'reauth' ? (
        <ReauthForm action={t.removeAction} confirmLabel={t.removeConfirm} finishingLabel={messages.common.loading} onConfirmed={removeIt} onCancel={() => back(removeButton)} />
      ) : (
        <div className="passkey-actions">
          <button type="button" ref={renameButton} aria-label={t.renameLabel(passkey.name)} disabled={offline} onClick={() => setMode('rename')}>
            {t.rename}
          </button>
          <button type="button" ref={removeButton} aria-label={t.removeLabel(passkey.name)} disabled={offline} onClick={() => setMode('remove')}>
            {t.remove}
          </button>
        </div>
      )}
    </li>
  );
}
