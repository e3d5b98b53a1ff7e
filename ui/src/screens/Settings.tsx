// The owner's settings: the shop, this register, callbacks, routing per network, each provider's
// credentials, the printer and the fleet hub.
//
// Secrets never come back from the backend: a secret field shows only its hint (`••••1234`) as
// text, never inside an input, and is sent as `null` ("keep the stored one") unless the owner
// presses "change" and types a new value (an empty new value also keeps the stored one: a
// forgotten "change" must not wipe a password). "Test connection" tests what is saved.
import { useEffect, useState } from 'preact/hooks';
import { parseBahtToSatang, satangToTyped } from '../format/money';
import { networkName, providerFieldName, providerName, t, tf, type Language } from '../i18n';
import {
  isAppError,
  saveSettings,
  settingsView,
  testConnection,
  type AppError,
  type ConnectionTest,
  type NetworkRoute,
  type ProviderId,
  type ProviderSettingsUpdate,
  type ProviderSettingsView,
  type SettingsView,
} from '../platform';
import { ErrorLine } from '../parts/ErrorLine';
import { LockIcon } from '../parts/Icon';

/** The providers a network's top-ups can be routed to. */
const TOPUP_PROVIDERS = ['wepay', 'easysoft'];

interface ProviderDraft {
  enabled: boolean;
  values: Record<string, string>;
  /** A new secret per key, or absent to keep the stored one. */
  secrets: Record<string, string>;
}

interface Draft {
  shop_name: string;
  promptpay_id: string;
  register_name: string;
  language: 'th' | 'en';
  qr_countdown_seconds: string;
  kiosk_idle_seconds: string;
  callback_listen: string;
  public_url: string;
  low_balance_alert: string;
  routing: NetworkRoute[];
  providers: Record<string, ProviderDraft>;
  printer: string;
  printer_width_dots: number;
  hub_url: string;
  /** A new hub token, or `null` to keep the stored one. */
  hub_token: string | null;
  /** A new owner token for the hub (the fleet view), or `null` to keep the stored one. */
  hub_owner_token: string | null;
}

function draftOf(view: SettingsView): Draft {
  const providers: Record<string, ProviderDraft> = {};
  for (const provider of view.providers) {
    providers[provider.provider] = {
      enabled: provider.enabled,
      values: Object.fromEntries(provider.fields.filter((field) => !field.secret).map((field) => [field.key, field.value])),
      secrets: {},
    };
  }
  return {
    shop_name: view.shop_name,
    promptpay_id: view.promptpay_id,
    register_name: view.register_name,
    language: view.language,
    qr_countdown_seconds: String(view.qr_countdown_seconds),
    kiosk_idle_seconds: String(view.kiosk_idle_seconds),
    callback_listen: view.callback_listen,
    public_url: view.public_url,
    low_balance_alert: satangToTyped(view.low_balance_alert),
    routing: view.routing.map((route) => ({ network: route.network, providers: [...route.providers] })),
    providers,
    printer: view.printer,
    printer_width_dots: view.printer_width_dots,
    hub_url: view.hub_url,
    hub_token: null,
    hub_owner_token: null,
  };
}

type FieldProblem = 'qr_countdown_seconds' | 'kiosk_idle_seconds' | 'low_balance_alert';

function wholeNumber(text: string): number | null {
  return /^\d{1,6}$/.test(text.trim()) ? Number.parseInt(text.trim(), 10) : null;
}

export function Settings({ language, onSaved }: { language: Language; onSaved: () => void }) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [problem, setProblem] = useState<FieldProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    settingsView().then(
      (reply) => {
        setView(reply);
        setDraft(draftOf(reply));
      },
      (caught: AppError) => setError(caught),
    );
  }, []);

  if (!view || !draft) {
    return (
      <section class="settings" data-testid="settings">
        <ErrorLine language={language} error={error} />
        {!error && <p class="muted">{t(language, 'loading')}</p>}
      </section>
    );
  }

  const change = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setSaved(false);
  };
  const changeProvider = (id: string, patch: Partial<ProviderDraft>) =>
    change({ providers: { ...draft.providers, [id]: { ...draft.providers[id], ...patch } } });

  async function save(event: Event) {
    event.preventDefault();
    if (!view || !draft) return;
    const qr = wholeNumber(draft.qr_countdown_seconds);
    const idle = wholeNumber(draft.kiosk_idle_seconds);
    const low = parseBahtToSatang(draft.low_balance_alert);
    const found: FieldProblem | null = qr === null ? 'qr_countdown_seconds' : idle === null ? 'kiosk_idle_seconds' : low === null ? 'low_balance_alert' : null;
    setProblem(found);
    if (found || qr === null || idle === null || low === null) return;
    const providers: ProviderSettingsUpdate[] = view.providers.map((provider) => {
      const own = draft.providers[provider.provider];
      return {
        provider: provider.provider,
        enabled: own.enabled,
        values: provider.fields.filter((field) => !field.secret).map((field) => [field.key, own.values[field.key] ?? ''] as [string, string]),
        secrets: provider.fields
          .filter((field) => field.secret)
          .map((field) => [field.key, own.secrets[field.key] ? own.secrets[field.key] : null] as [string, string | null]),
      };
    });
    setBusy(true);
    setError(null);
    try {
      const reply = await saveSettings({
        shop_name: draft.shop_name,
        promptpay_id: draft.promptpay_id,
        register_name: draft.register_name,
        language: draft.language,
        qr_countdown_seconds: qr,
        kiosk_idle_seconds: idle,
        callback_listen: draft.callback_listen,
        public_url: draft.public_url,
        low_balance_alert: low,
        routing: draft.routing,
        providers,
        printer: draft.printer,
        printer_width_dots: draft.printer_width_dots,
        hub_url: draft.hub_url,
        hub_token: draft.hub_token ? draft.hub_token : null,
        hub_owner_token: draft.hub_owner_token ? draft.hub_owner_token : null,
      });
      setView(reply);
      setDraft(draftOf(reply));
      setSaved(true);
      onSaved();
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  const text = (key: keyof Draft & string, label: string, testId: string, extra: Record<string, unknown> = {}) => (
    <label class="field">
      <span class="field-label">{label}</span>
      <input
        data-testid={testId}
        value={draft[key] as string}
        aria-invalid={problem === key}
        onInput={(event) => change({ [key]: event.currentTarget.value } as Partial<Draft>)}
        {...extra}
      />
      {problem === key && (
        <span class="field-error" role="alert" data-testid={`${testId}-problem`}>
          {key === 'low_balance_alert' ? t(language, 'invalidMoney') : t(language, 'invalidSeconds')}
        </span>
      )}
    </label>
  );

  function moveRoute(index: number, provider: string, by: -1 | 1) {
    if (!draft) return;
    const routing = draft.routing.map((route, at) => {
      if (at !== index) return route;
      const list = [...route.providers];
      const from = list.indexOf(provider);
      const to = from + by;
      if (from < 0 || to < 0 || to >= list.length) return route;
      [list[from], list[to]] = [list[to], list[from]];
      return { ...route, providers: list };
    });
    change({ routing });
  }

  function setRoute(index: number, providers: string[]) {
    if (!draft) return;
    change({ routing: draft.routing.map((route, at) => (at === index ? { ...route, providers } : route)) });
  }

  return (
    <form class="settings" data-testid="settings" onSubmit={save} novalidate>
      <div class="section-head">
        <h1>{t(language, 'settingsTitle')}</h1>
        <div class="button-row">
          {saved && (
            <span class="ok-text" data-testid="settings-saved">
              ✓ {t(language, 'saved')}
            </span>
          )}
          <button type="submit" class="primary" data-testid="settings-save" disabled={busy}>
            {busy ? t(language, 'working') : t(language, 'save')}
          </button>
        </div>
      </div>
      <ErrorLine language={language} error={error} testId="settings-error" />

      <section class="card settings-grid">
        <h2>{t(language, 'settingsShop')}</h2>
        {text('shop_name', t(language, 'shopName'), 'set-shop-name')}
        {text('promptpay_id', t(language, 'promptpayId'), 'set-promptpay-id', { inputMode: 'numeric', placeholder: '081-234-5678' })}
        <label class="field">
          <span class="field-label">{t(language, 'registerId')}</span>
          <input data-testid="set-register-id" value={view.register_id} readOnly disabled />
        </label>
        {text('register_name', t(language, 'registerName'), 'set-register-name')}
        <label class="field">
          <span class="field-label">{t(language, 'language')}</span>
          <select data-testid="set-language" value={draft.language} onChange={(event) => change({ language: event.currentTarget.value as 'th' | 'en' })}>
            <option value="th">ไทย</option>
            <option value="en">English</option>
          </select>
        </label>
        {text('qr_countdown_seconds', t(language, 'qrCountdown'), 'set-qr-seconds', { inputMode: 'numeric' })}
        {text('kiosk_idle_seconds', t(language, 'kioskIdle'), 'set-idle-seconds', { inputMode: 'numeric' })}
        {text('low_balance_alert', t(language, 'lowBalanceAlert'), 'set-low-balance', { inputMode: 'decimal' })}
      </section>

      <section class="card settings-grid">
        <h2>{t(language, 'settingsConnections')}</h2>
        {text('callback_listen', t(language, 'callbackListen'), 'set-callback-listen', { placeholder: '0.0.0.0:8787' })}
        {text('public_url', t(language, 'publicUrl'), 'set-public-url', { placeholder: 'https://shop.example/' })}
      </section>

      <section class="card" data-testid="routing">
        <h2>{t(language, 'settingsRouting')}</h2>
        <div class="routing-grid">
          {draft.routing.map((route, index) => (
            <div class="route" key={route.network} data-testid={`route-${route.network}`}>
              <strong>{networkName(route.network)}</strong>
              {route.providers.length === 0 && <span class="muted">{t(language, 'routeEmpty')}</span>}
              <ol class="route-list">
                {route.providers.map((provider, at) => (
                  <li key={provider} data-testid={`route-${route.network}-${provider}`}>
                    <span class="route-name">
                      {at + 1}. {providerName(provider)}
                    </span>
                    <button type="button" class="icon-button" data-testid={`route-${route.network}-${provider}-up`} disabled={at === 0} onClick={() => moveRoute(index, provider, -1)} aria-label={t(language, 'moveUp')} title={t(language, 'moveUp')}>
                      ↑
                    </button>
                    <button type="button" class="icon-button" data-testid={`route-${route.network}-${provider}-down`} disabled={at === route.providers.length - 1} onClick={() => moveRoute(index, provider, 1)} aria-label={t(language, 'moveDown')} title={t(language, 'moveDown')}>
                      ↓
                    </button>
                    <button type="button" class="icon-button" data-testid={`route-${route.network}-${provider}-remove`} onClick={() => setRoute(index, route.providers.filter((entry) => entry !== provider))} aria-label={t(language, 'remove')} title={t(language, 'remove')}>
                      ✕
                    </button>
                  </li>
                ))}
              </ol>
              {TOPUP_PROVIDERS.filter((provider) => !route.providers.includes(provider)).map((provider) => (
                <button type="button" key={provider} class="secondary small" data-testid={`route-${route.network}-${provider}-add`} onClick={() => setRoute(index, [...route.providers, provider])}>
                  + {providerName(provider)}
                </button>
              ))}
            </div>
          ))}
        </div>
      </section>

      <section class="providers" data-testid="providers">
        <div class="section-head">
          <h2>{t(language, 'settingsProviders')}</h2>
          <span class="muted" data-testid="secret-store">
            <LockIcon /> {view.secret_store === 'keyring' ? t(language, 'secretStoreKeyring') : t(language, 'secretStoreFile')}
          </span>
        </div>
        <div class="provider-cards">
          {view.providers.map((provider) => (
            <ProviderCard
              key={provider.provider}
              language={language}
              provider={provider}
              draft={draft.providers[provider.provider]}
              onChange={(patch) => changeProvider(provider.provider, patch)}
            />
          ))}
        </div>
      </section>

      <section class="card settings-grid">
        <h2>{t(language, 'settingsPrinter')}</h2>
        {text('printer', t(language, 'printer'), 'set-printer', { placeholder: 'tcp://192.168.1.50:9100' })}
        <label class="field">
          <span class="field-label">{t(language, 'paperWidth')}</span>
          <select data-testid="set-paper" value={String(draft.printer_width_dots)} onChange={(event) => change({ printer_width_dots: Number.parseInt(event.currentTarget.value, 10) })}>
            <option value="384">{t(language, 'paper58')}</option>
            <option value="576">{t(language, 'paper80')}</option>
          </select>
        </label>
      </section>

      <section class="card settings-grid">
        <h2>{t(language, 'settingsHub')}</h2>
        {text('hub_url', t(language, 'hubUrl'), 'set-hub-url', { placeholder: 'https://hub.example/' })}
        <div class="field">
          <span class="field-label">{t(language, 'hubToken')}</span>
          <SecretInput
            language={language}
            hint={view.hub_token_set ? t(language, 'tokenSet') : ''}
            value={draft.hub_token}
            onChange={(value) => change({ hub_token: value })}
            testId="set-hub-token"
          />
        </div>
        <div class="field">
          <span class="field-label">{t(language, 'hubOwnerToken')}</span>
          <SecretInput
            language={language}
            hint={view.hub_owner_token_set ? t(language, 'tokenSet') : ''}
            value={draft.hub_owner_token}
            onChange={(value) => change({ hub_owner_token: value })}
            testId="set-hub-owner-token"
          />
          <small class="muted">{t(language, 'hubOwnerTokenHelp')}</small>
        </div>
      </section>
    </form>
  );
}

interface CardProps {
  language: Language;
  provider: ProviderSettingsView;
  draft: ProviderDraft;
  onChange: (patch: Partial<ProviderDraft>) => void;
}

function ProviderCard({ language, provider, draft, onChange }: CardProps) {
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [testError, setTestError] = useState<AppError | null>(null);
  const [testing, setTesting] = useState(false);
  const id: ProviderId = provider.provider;

  async function runTest() {
    setTesting(true);
    setTest(null);
    setTestError(null);
    try {
      setTest(await testConnection(id));
    } catch (caught) {
      setTestError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setTesting(false);
    }
  }

  return (
    <article class={`card provider-card${draft.enabled ? '' : ' is-off'}`} data-testid={`provider-${id}`}>
      <div class="section-head">
        <h3>{providerName(id)}</h3>
        <label class="toggle">
          <input type="checkbox" data-testid={`provider-${id}-enabled`} checked={draft.enabled} onChange={(event) => onChange({ enabled: event.currentTarget.checked })} />
          {t(language, 'enabled')}
        </label>
      </div>
      {provider.fields.map((field) => (
        <div class="field" key={field.key}>
          <span class="field-label">
            {providerFieldName(language, field.key)}
            {field.required && <small class="muted"> ({t(language, 'required')})</small>}
          </span>
          {field.secret ? (
            <SecretInput
              language={language}
              hint={field.value}
              value={field.key in draft.secrets ? draft.secrets[field.key] : null}
              onChange={(value) => {
                const secrets = { ...draft.secrets };
                if (value === null) delete secrets[field.key];
                else secrets[field.key] = value;
                onChange({ secrets });
              }}
              testId={`provider-${id}-${field.key}`}
              multiline={field.key.endsWith('_pem')}
            />
          ) : (
            <input
              data-testid={`provider-${id}-${field.key}`}
              value={draft.values[field.key] ?? ''}
              onInput={(event) => onChange({ values: { ...draft.values, [field.key]: event.currentTarget.value } })}
            />
          )}
        </div>
      ))}
      <div class="button-row">
        <button type="button" class="secondary" data-testid={`provider-${id}-test`} disabled={testing} onClick={runTest} title={t(language, 'testConnectionHint')}>
          {testing ? t(language, 'working') : t(language, 'testConnection')}
        </button>
      </div>
      {test?.ok && (
        <p class="ok-text" data-testid={`provider-${id}-test-ok`}>
          ✓ {t(language, 'connectionOk')}
          {test.balance_display && ` · ${tf(language, 'connectionBalance', { balance: test.balance_display })}`}
        </p>
      )}
      {test && !test.ok && (
        <ErrorLine language={language} error={test.error ?? { code: 'provider_unavailable', message: '' }} testId={`provider-${id}-test-error`} />
      )}
      <ErrorLine language={language} error={testError} testId={`provider-${id}-test-error`} />
    </article>
  );
}

interface SecretProps {
  language: Language;
  /** `••••1234`, or empty when nothing is stored. */
  hint: string;
  /** The new value being typed, or `null` to keep the stored one. */
  value: string | null;
  onChange: (value: string | null) => void;
  testId: string;
  multiline?: boolean;
}

/** A secret: its hint as text and a "change" button; an input only for a new value. */
function SecretInput({ language, hint, value, onChange, testId, multiline = false }: SecretProps) {
  if (value === null) {
    return (
      <div class="secret">
        <span class="secret-hint" data-testid={`${testId}-hint`}>
          {hint || t(language, 'notSet')}
        </span>
        <button type="button" class="secondary small" data-testid={`${testId}-change`} onClick={() => onChange('')}>
          {t(language, 'change')}
        </button>
      </div>
    );
  }
  return (
    <div class="secret">
      {multiline ? (
        <textarea data-testid={`${testId}-new`} rows={3} value={value} autoFocus onInput={(event) => onChange(event.currentTarget.value)} />
      ) : (
        <input data-testid={`${testId}-new`} type="password" autocomplete="new-password" value={value} autoFocus onInput={(event) => onChange(event.currentTarget.value)} />
      )}
      <button type="button" class="secondary small" data-testid={`${testId}-keep`} onClick={() => onChange(null)}>
        {t(language, 'keep')}
      </button>
    </div>
  );
}
