// The owner's fleet panel: every register as the hub sees it (last contact, what it has not yet
// sent, sales waiting for a person, callbacks, provider balances), then the same report as this
// machine's own over every register. A register not heard from for minutes is flagged first:
// an owner looks here to find the kiosk that went dark. Without a hub set up, the panel says
// what to set in Settings instead of showing an empty table.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime } from '../format/dates';
import { providerName, t, tf, type Language } from '../i18n';
import { fleetHealth, isAppError, type AppError, type FleetHealthView, type RegisterHealthView } from '../platform';
import { ErrorLine } from '../parts/ErrorLine';
import { Report } from './Report';

function asError(caught: unknown): AppError {
  return isAppError(caught) ? caught : { code: 'internal', message: String(caught) };
}

export function Fleet({ language }: { language: Language }) {
  const [health, setHealth] = useState<FleetHealthView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const load = useCallback(() => {
    setError(null);
    fleetHealth().then(setHealth, (caught) => {
      setHealth(null);
      setError(asError(caught));
    });
  }, []);
  useEffect(load, [load]);

  if (error?.code === 'fleet_not_set_up') {
    return (
      <section class="card narrow" data-testid="fleet-not-set-up">
        <h2>{t(language, 'dashFleet')}</h2>
        <ErrorLine language={language} error={error} testId="fleet-error" />
        <p class="muted">{t(language, 'fleetSetUpHelp')}</p>
      </section>
    );
  }

  return (
    <section class="fleet" data-testid="fleet">
      <div class="section-head">
        <h2>{t(language, 'fleetRegisters')}</h2>
        {health && (
          <small class="muted" data-testid="fleet-at">
            {tf(language, 'fleetAsOf', { time: formatDateTime(health.at, language) })}
          </small>
        )}
        <button type="button" class="secondary small" data-testid="fleet-refresh" onClick={load}>
          {t(language, 'refresh')}
        </button>
      </div>
      <ErrorLine language={language} error={error} testId="fleet-error" />
      {health?.registers.length === 0 && (
        <p class="card muted" data-testid="fleet-empty">
          {t(language, 'fleetEmpty')}
        </p>
      )}
      {health && health.registers.length > 0 && (
        <div class="card table-wrap">
          <table class="plain-table fleet-table" data-testid="fleet-table">
            <thead>
              <tr>
                <th>{t(language, 'colRegister')}</th>
                <th>{t(language, 'colLastSeen')}</th>
                <th>{t(language, 'colBacklog')}</th>
                <th>{t(language, 'colUnresolved')}</th>
                <th>{t(language, 'colInProgress')}</th>
                <th>{t(language, 'colCallbacks')}</th>
                <th>{t(language, 'colBalances')}</th>
              </tr>
            </thead>
            <tbody>
              {health.registers.map((register) => (
                <RegisterLine key={register.register_id} language={language} register={register} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t(language, 'fleetReport')}</h2>
      <Report language={language} source="fleet" />
    </section>
  );
}

function RegisterLine({ language, register }: { language: Language; register: RegisterHealthView }) {
  const needsLook = register.silent || register.unresolved > 0 || register.callbacks_refused > 0;
  return (
    <tr data-testid="fleet-register" data-register={register.register_id} data-silent={register.silent} class={needsLook ? 'needs-look' : ''}>
      <th scope="row">
        {register.name}
        <small class="muted"> ({register.register_id})</small>
      </th>
      <td data-col="last-seen">
        {register.last_seen_at === null ? t(language, 'never') : formatDateTime(register.last_seen_at, language)}
        {register.silent && (
          <span class="chip is-offline" data-testid="fleet-silent">
            {t(language, 'silent')}
          </span>
        )}
      </td>
      <td data-col="backlog">{register.backlog}</td>
      <td data-col="unresolved" class={register.unresolved > 0 ? 'alert-text' : ''}>
        {register.unresolved}
      </td>
      <td data-col="in-progress">{register.in_progress}</td>
      <td data-col="callbacks">
        {register.callbacks_waiting}
        {register.callbacks_refused > 0 && (
          <span class="chip is-offline" data-testid="fleet-refused">
            {tf(language, 'callbacksRefused', { count: register.callbacks_refused })}
          </span>
        )}
      </td>
      <td data-col="balances">
        {register.balances.map((balance) => (
          <span key={balance.provider} class={`chip${balance.low ? ' is-offline' : ''}`} data-testid={`fleet-balance-${balance.provider}`} data-low={balance.low}>
            {providerName(balance.provider)} ·{' '}
            {balance.balance_display !== null ? `฿${balance.balance_display}` : t(language, 'balanceUnknown')}
            {balance.low && ` ⚠ ${t(language, 'lowShort')}`}
          </span>
        ))}
      </td>
    </tr>
  );
}
