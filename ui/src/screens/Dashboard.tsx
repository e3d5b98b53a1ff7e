// The owner's dashboard: the report first, the fleet (every register, through the hub), then
// provider balances (with the low-balance alert and Easysoft's network status), a day's
// reconciliation with every difference listed, operators, the print queue, and turning this
// machine into a kiosk.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { bangkokDay, formatDateTime, formatDay } from '../format/dates';
import { formatSatang } from '../format/money';
import { networkName, printStateName, providerName, roleName, t, tf, type Language, type WordKey } from '../i18n';
import {
  balances as fetchBalances,
  enterKiosk,
  isAppError,
  operators as fetchOperators,
  printJobs,
  printTestPage,
  reconcile,
  retryPrint,
  saveOperator,
  unlockOperator,
  type AppError,
  type OperatorView,
  type PrintJobView,
  type ProviderBalance,
  type ReconciliationView,
  type Role,
  type ShopStatus,
} from '../platform';
import { ConfirmDialog } from '../parts/Dialog';
import { ErrorLine } from '../parts/ErrorLine';
import { LockIcon } from '../parts/Icon';
import { Fleet } from './Fleet';
import { Report } from './Report';

type Panel = 'report' | 'fleet' | 'balances' | 'reconcile' | 'operators' | 'printer' | 'kiosk';

const PANELS: { panel: Panel; word: WordKey }[] = [
  { panel: 'report', word: 'dashReport' },
  { panel: 'fleet', word: 'dashFleet' },
  { panel: 'balances', word: 'dashBalances' },
  { panel: 'reconcile', word: 'dashReconcile' },
  { panel: 'operators', word: 'dashOperators' },
  { panel: 'printer', word: 'dashPrinter' },
  { panel: 'kiosk', word: 'dashKiosk' },
];

function asError(caught: unknown): AppError {
  return isAppError(caught) ? caught : { code: 'internal', message: String(caught) };
}

export function Dashboard({ language, onStatus }: { language: Language; onStatus: (status?: ShopStatus) => void }) {
  const [panel, setPanel] = useState<Panel>('report');
  return (
    <div class="dashboard" data-testid="dashboard">
      <nav class="tabs" role="tablist">
        {PANELS.map((entry) => (
          <button
            type="button"
            role="tab"
            key={entry.panel}
            class={`tab${entry.panel === panel ? ' is-active' : ''}`}
            aria-selected={entry.panel === panel}
            data-testid={`dash-${entry.panel}`}
            onClick={() => setPanel(entry.panel)}
          >
            {t(language, entry.word)}
          </button>
        ))}
      </nav>
      {panel === 'report' && <Report language={language} />}
      {panel === 'fleet' && <Fleet language={language} />}
      {panel === 'balances' && <Balances language={language} />}
      {panel === 'reconcile' && <Reconciliation language={language} />}
      {panel === 'operators' && <Operators language={language} />}
      {panel === 'printer' && <PrintQueue language={language} />}
      {panel === 'kiosk' && <KioskEntry language={language} onStatus={onStatus} />}
    </div>
  );
}

function Balances({ language }: { language: Language }) {
  const [list, setList] = useState<ProviderBalance[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const load = useCallback(() => {
    setError(null);
    fetchBalances().then(setList, (caught) => setError(asError(caught)));
  }, []);
  useEffect(load, [load]);
  return (
    <section data-testid="balances">
      <div class="section-head">
        <h2>{t(language, 'dashBalances')}</h2>
        <button type="button" class="secondary small" data-testid="balances-refresh" onClick={load}>
          {t(language, 'refresh')}
        </button>
      </div>
      <ErrorLine language={language} error={error} />
      <div class="balance-cards">
        {list?.map((entry) => (
          <article key={entry.provider} class={`card balance-card${entry.low ? ' is-low' : ''}`} data-testid={`balance-${entry.provider}`} data-low={entry.low}>
            <h3>{providerName(entry.provider)}</h3>
            {entry.balance_display !== null && (
              <p class="balance-amount" data-testid={`balance-${entry.provider}-amount`}>
                ฿{entry.balance_display}
              </p>
            )}
            {entry.low && (
              <p class="alert-text" role="alert" data-testid={`balance-${entry.provider}-low`}>
                ⚠ {t(language, 'lowBalance')}
              </p>
            )}
            <ErrorLine language={language} error={entry.error} testId={`balance-${entry.provider}-error`} />
            {entry.networks.length > 0 && (
              <div class="network-status" data-testid={`balance-${entry.provider}-networks`}>
                <span class="muted">{t(language, 'networkStatus')}:</span>
                {entry.networks.map((status) => (
                  <span key={status.network} class={`chip ${status.online ? 'is-online' : 'is-offline'}`} data-testid={`network-status-${status.network}`} data-online={status.online}>
                    {networkName(status.network)} · {t(language, status.online ? 'online' : 'offline')}
                  </span>
                ))}
              </div>
            )}
          </article>
        ))}
      </div>
    </section>
  );
}

function Reconciliation({ language }: { language: Language }) {
  const [day, setDay] = useState(bangkokDay(Date.now()));
  const [view, setView] = useState<ReconciliationView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    setError(null);
    try {
      setView(await reconcile(day));
    } catch (caught) {
      setView(null);
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section data-testid="reconcile">
      <div class="card report-controls">
        <label class="field inline">
          <span class="field-label">{t(language, 'day')}</span>
          <input type="date" data-testid="reconcile-day" value={day} onChange={(event) => setDay(event.currentTarget.value)} />
        </label>
        <span class="muted" data-testid="reconcile-day-text">
          {formatDay(day, language)}
        </span>
        <button type="button" class="primary" data-testid="reconcile-run" disabled={busy} onClick={run}>
          {t(language, 'reconcileRun')}
        </button>
      </div>
      <ErrorLine language={language} error={error} testId="reconcile-error" />
      {view?.providers.map((provider) => (
        <article key={provider.provider} class="card" data-testid={`reconcile-${provider.provider}`}>
          <div class="section-head">
            <h3>{providerName(provider.provider)}</h3>
            <span class={provider.differences.length === 0 ? 'ok-text' : 'alert-text'} data-testid={`reconcile-${provider.provider}-verdict`}>
              {provider.differences.length === 0 ? `✓ ${t(language, 'reconcileAllMatch')}` : `⚠ ${tf(language, 'reconcileDifferences', { count: provider.differences.length })}`}
            </span>
          </div>
          <p class="muted">
            {tf(language, 'reconcileChecked', { checked: provider.checked, matching: provider.matching, delivered: formatSatang(provider.delivered) })}
          </p>
          {provider.differences.length > 0 && (
            <div class="table-wrap">
              <table class="plain-table">
                <thead>
                  <tr>
                    <th>{t(language, 'saleId')}</th>
                    <th>{t(language, 'colReference')}</th>
                    <th>{t(language, 'colOurs')}</th>
                    <th>{t(language, 'colTheirs')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {provider.differences.map((difference) => (
                    <tr key={difference.reference} data-testid="reconcile-difference" data-sale-id={difference.sale_id}>
                      <td>{difference.sale_id}</td>
                      <td>
                        <code>{difference.reference}</code>
                      </td>
                      <td>{difference.ours}</td>
                      <td>{difference.theirs}</td>
                      <td class="alert-text">{t(language, difference.amount_differs ? 'amountDiffers' : 'stateDiffers')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </article>
      ))}
    </section>
  );
}

interface OperatorDraft {
  isNew: boolean;
  id: string;
  name: string;
  role: Role;
  pin: string;
  active: boolean;
}

const ROLES: readonly Role[] = ['cashier', 'owner', 'kiosk'];

function Operators({ language }: { language: Language }) {
  const [list, setList] = useState<OperatorView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [draft, setDraft] = useState<OperatorDraft | null>(null);
  const [draftError, setDraftError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    fetchOperators().then(setList, (caught) => setError(asError(caught)));
  }, []);
  useEffect(load, [load]);

  async function save(event: Event) {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setDraftError(null);
    try {
      await saveOperator({
        id: draft.id.trim(),
        name: draft.name.trim(),
        role: draft.role,
        pin: draft.pin === '' ? null : draft.pin,
        active: draft.active,
      });
      setDraft(null);
      load();
    } catch (caught) {
      setDraftError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function unlock(id: string) {
    setError(null);
    try {
      await unlockOperator(id);
      load();
    } catch (caught) {
      setError(asError(caught));
    }
  }

  return (
    <section data-testid="operators">
      <div class="section-head">
        <h2>{t(language, 'dashOperators')}</h2>
        <button
          type="button"
          class="primary small"
          data-testid="operator-add"
          onClick={() => {
            setDraftError(null);
            setDraft({ isNew: true, id: '', name: '', role: 'cashier', pin: '', active: true });
          }}
        >
          + {t(language, 'operatorAdd')}
        </button>
      </div>
      <ErrorLine language={language} error={error} />
      {draft && (
        <form class="card operator-form" data-testid="operator-form" onSubmit={save} novalidate>
          <label class="field">
            <span class="field-label">{t(language, 'operatorId')}</span>
            <input data-testid="operator-id" value={draft.id} disabled={!draft.isNew} onInput={(event) => setDraft({ ...draft, id: event.currentTarget.value })} />
          </label>
          <label class="field">
            <span class="field-label">{t(language, 'operatorName')}</span>
            <input data-testid="operator-name" value={draft.name} onInput={(event) => setDraft({ ...draft, name: event.currentTarget.value })} />
          </label>
          <label class="field">
            <span class="field-label">{t(language, 'role')}</span>
            <select data-testid="operator-role" value={draft.role} onChange={(event) => setDraft({ ...draft, role: event.currentTarget.value as Role })}>
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {roleName(language, role)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span class="field-label">{draft.isNew ? t(language, 'pin') : t(language, 'newPin')}</span>
            <input
              data-testid="operator-pin"
              type="password"
              inputMode="numeric"
              autocomplete="new-password"
              value={draft.pin}
              onInput={(event) => setDraft({ ...draft, pin: event.currentTarget.value })}
            />
          </label>
          <label class="toggle">
            <input type="checkbox" data-testid="operator-active" checked={draft.active} onChange={(event) => setDraft({ ...draft, active: event.currentTarget.checked })} />
            {t(language, 'active')}
          </label>
          <ErrorLine language={language} error={draftError} testId="operator-error" />
          <div class="button-row">
            <button type="button" class="secondary" data-testid="operator-cancel" onClick={() => setDraft(null)}>
              {t(language, 'cancel')}
            </button>
            <button type="submit" class="primary" data-testid="operator-save" disabled={busy}>
              {t(language, 'save')}
            </button>
          </div>
        </form>
      )}
      <div class="card table-wrap">
        <table class="plain-table">
          <thead>
            <tr>
              <th>{t(language, 'operatorName')}</th>
              <th>{t(language, 'role')}</th>
              <th />
              <th />
            </tr>
          </thead>
          <tbody>
            {list?.map((operator) => (
              <tr key={operator.id} data-testid="operator-row" data-operator-id={operator.id}>
                <td>
                  <strong>{operator.name}</strong> <span class="muted">({operator.id})</span>
                </td>
                <td>{roleName(language, operator.role)}</td>
                <td>
                  <span class={`chip ${operator.active ? 'is-online' : 'is-offline'}`}>{t(language, operator.active ? 'active' : 'inactive')}</span>
                  {operator.locked && <span class="chip is-offline"><LockIcon /> {t(language, 'locked')}</span>}
                </td>
                <td>
                  <div class="button-row">
                  {operator.locked && (
                    <button type="button" class="primary small" data-testid="operator-unlock" onClick={() => unlock(operator.id)}>
                      {t(language, 'unlock')}
                    </button>
                  )}
                  <button
                    type="button"
                    class="secondary small"
                    data-testid="operator-edit"
                    onClick={() => {
                      setDraftError(null);
                      setDraft({ isNew: false, id: operator.id, name: operator.name, role: operator.role, pin: '', active: operator.active });
                    }}
                  >
                    {t(language, 'operatorEdit')}
                  </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PrintQueue({ language }: { language: Language }) {
  const [jobs, setJobs] = useState<PrintJobView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const load = useCallback(() => {
    printJobs().then(setJobs, (caught) => setError(asError(caught)));
  }, []);
  useEffect(load, [load]);

  async function act(command: () => Promise<PrintJobView>) {
    setError(null);
    try {
      await command();
    } catch (caught) {
      setError(asError(caught));
    }
    load();
  }

  return (
    <section data-testid="print-queue">
      <div class="section-head">
        <h2>{t(language, 'dashPrinter')}</h2>
        <div class="button-row">
          <button type="button" class="secondary small" data-testid="print-refresh" onClick={load}>
            {t(language, 'refresh')}
          </button>
          <button type="button" class="primary small" data-testid="print-test-page" onClick={() => act(printTestPage)}>
            {t(language, 'printTestPage')}
          </button>
        </div>
      </div>
      <ErrorLine language={language} error={error} testId="print-error" />
      {jobs?.length === 0 && <p class="card muted">{t(language, 'printQueueEmpty')}</p>}
      {jobs && jobs.length > 0 && (
        <div class="card table-wrap">
          <table class="plain-table">
            <thead>
              <tr>
                <th>#</th>
                <th>{t(language, 'receipt')}</th>
                <th>{t(language, 'day')}</th>
                <th />
                <th>{t(language, 'attempts')}</th>
                <th>{t(language, 'lastError')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id} data-testid="print-job-row" data-state={job.state} data-job-id={job.id}>
                  <td>{job.id}</td>
                  <td>{job.sale_id ?? t(language, 'testPage')}</td>
                  <td>{formatDateTime(job.created_at, language)}</td>
                  <td>
                    <span class={`chip print-${job.state}`}>{printStateName(language, job.state)}</span>
                  </td>
                  <td>{job.attempts}</td>
                  <td class="alert-text">{job.last_error ?? ''}</td>
                  <td>
                    {job.state === 'failed' && (
                      <button type="button" class="primary small" data-testid="print-retry" onClick={() => act(() => retryPrint(job.id))}>
                        {t(language, 'retry')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function KioskEntry({ language, onStatus }: { language: Language; onStatus: (status?: ShopStatus) => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  async function enter() {
    setAsking(false);
    setError(null);
    try {
      onStatus(await enterKiosk());
    } catch (caught) {
      setError(asError(caught));
    }
  }
  return (
    <section class="card narrow" data-testid="kiosk-entry">
      <h2>{t(language, 'enterKiosk')}</h2>
      <p>{t(language, 'enterKioskHelp')}</p>
      <ErrorLine language={language} error={error} testId="kiosk-entry-error" />
      <button type="button" class="primary big" data-testid="enter-kiosk" onClick={() => setAsking(true)}>
        {t(language, 'enterKiosk')}
      </button>
      {asking && (
        <ConfirmDialog language={language} title={t(language, 'dashKiosk')} onConfirm={enter} onCancel={() => setAsking(false)} testId="enter-kiosk-confirm">
          <p>{t(language, 'enterKioskConfirm')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
