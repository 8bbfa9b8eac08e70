// "Email me when a device signs in": the one mail an owner may turn off; the other security alerts always go.
import { useEffect, useId, useState } from 'react';
import type { MailSettings } from '../../../../shared/api.js';
import { messages } from '../../../../shared/messages.js';
import { unwrap } from '../../bridge.js';
import { FormError } from '../../components/Field.js';
import { useLatch } from '../../store/index.js';

const t = messages.mailSetting;

export function MailSetting({ offline }: { offline: boolean }) {
  const session = useLatch((s) => s.session);
  const announce = useLatch((s) => s.announce);
  const bridge = useLatch((s) => s.bridge);
  const [settings, setSettings] = useState<MailSettings>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    if (offline) return;
    void unwrap(bridge.mailSettings()).then(({ value, error: failed }) => {
      if (value) setSettings(value);
      setError(failed?.message);
    });
  }, [offline, bridge]);

  async function toggle(newSignIns: boolean) {
    setBusy(true);
    const { value, error: failed } = await unwrap(bridge.setMailSettings({ newSignIns }));
    setBusy(false);
    setError(failed?.message);
    if (value) {
      setSettings(value);
      announce(t.saved(value.newSignIns));
    }
  }

  const unconfirmed = session.status === 'signedIn' && !session.user.emailVerified;
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t.title}</h2>
      {settings === undefined ? (
        <p className="muted" aria-busy={!error && !offline}>
          {offline ? messages.common.settingOffline : messages.common.loading}
        </p>
      ) : (
        <div className="checkbox">
          <input id={id} type="checkbox" checked={settings.newSignIns} disabled={busy || offline} onChange={(e) => void toggle(e.target.checked)} aria-describedby={`${id}-note`} />
          <label htmlFor={id}>{t.newSignIns}</label>
        </div>
      )}
      <p className="muted" id={`${id}-note`}>
        {t.note} {unconfirmed ? t.unconfirmed : ''}
      </p>
      <FormError message={error} />
    </section>
  );
}
