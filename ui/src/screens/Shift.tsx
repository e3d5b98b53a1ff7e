// Shifts: a cashier opens one with the cash float in the drawer before selling, and closes it
// with a blind count — they type what they counted before the screen shows what was expected, so
// the expected figure cannot steer the count. Expected, counted and the variance come after.
import { useState } from 'preact/hooks';
import { formatBaht, formatSignedBaht, parseBahtToSatang } from '../format/money';
import { formatDateTime } from '../format/dates';
import { t, tf, type Language } from '../i18n';
import { closeShift, isAppError, openShift, type AppError, type ShiftClosed, type ShopStatus } from '../platform';
import { ErrorLine } from '../parts/ErrorLine';

function asError(caught: unknown): AppError {
  return isAppError(caught) ? caught : { code: 'internal', message: String(caught) };
}

export function OpenShiftPanel({ language, onOpened }: { language: Language; onOpened: (status: ShopStatus) => void }) {
  const [float, setFloat] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [typo, setTypo] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    if (parseBahtToSatang(float) === null) {
      setTypo(true);
      return;
    }
    setTypo(false);
    setBusy(true);
    setError(null);
    try {
      onOpened(await openShift({ opening_float: float.trim() }));
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card narrow" data-testid="open-shift" onSubmit={submit} novalidate>
      <h1>{t(language, 'openShiftTitle')}</h1>
      <label class="field">
        <span class="field-label">{t(language, 'openingFloat')}</span>
        <input
          data-testid="opening-float"
          inputMode="decimal"
          autocomplete="off"
          autoFocus
          value={float}
          aria-invalid={typo}
          onInput={(event) => setFloat(event.currentTarget.value)}
          placeholder="1000"
        />
        {typo && (
          <span class="field-error" role="alert" data-testid="float-typo">
            {t(language, 'invalidMoney')}
          </span>
        )}
      </label>
      <ErrorLine language={language} error={error} />
      <button type="submit" class="primary big" data-testid="open-shift-submit" disabled={busy}>
        {t(language, 'openShift')}
      </button>
    </form>
  );
}

interface CloseProps {
  language: Language;
  status: ShopStatus;
  /** Back to selling without closing. */
  onBack: () => void;
  /** Closed and acknowledged. */
  onDone: () => void;
}

export function CloseShiftScreen({ language, status, onBack, onDone }: CloseProps) {
  const [counted, setCounted] = useState('');
  const [typo, setTypo] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [closed, setClosed] = useState<ShiftClosed | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    if (parseBahtToSatang(counted) === null) {
      setTypo(true);
      return;
    }
    setTypo(false);
    setBusy(true);
    setError(null);
    try {
      setClosed(await closeShift({ counted_cash: counted.trim() }));
    } catch (caught) {
      setError(asError(caught));
    } finally {
      setBusy(false);
    }
  }

  if (closed) {
    const look = closed.variance < 0 ? 'short' : closed.variance > 0 ? 'over' : 'exact';
    const verdict = look === 'short' ? 'varianceShort' : look === 'over' ? 'varianceOver' : 'varianceExact';
    return (
      <section class="card narrow" data-testid="shift-closed">
        <h1>{t(language, 'shiftClosedTitle')}</h1>
        <dl class="facts">
          <dt>{t(language, 'floatLine')}</dt>
          <dd data-testid="closed-float">{formatBaht(closed.opening_float)}</dd>
          <dt>{t(language, 'cashSales')}</dt>
          <dd data-testid="closed-cash-sales">{formatBaht(closed.cash_sales)}</dd>
          <dt>{t(language, 'cashRefunds')}</dt>
          <dd data-testid="closed-cash-refunds">{formatBaht(closed.cash_refunds)}</dd>
          <dt>{t(language, 'expected')}</dt>
          <dd data-testid="closed-expected">{formatBaht(closed.expected)}</dd>
          <dt>{t(language, 'counted')}</dt>
          <dd data-testid="closed-counted">{formatBaht(closed.counted)}</dd>
          <dt>{t(language, 'variance')}</dt>
          <dd class={`variance is-${look}`} data-testid="closed-variance" data-look={look}>
            {formatSignedBaht(closed.variance)} · {t(language, verdict)}
          </dd>
        </dl>
        <button type="button" class="primary big" data-testid="shift-closed-done" onClick={onDone}>
          {t(language, 'done')}
        </button>
      </section>
    );
  }

  const shift = status.shift;
  return (
    <form class="card narrow" data-testid="close-shift" onSubmit={submit} novalidate>
      <h1>{t(language, 'closeShiftTitle')}</h1>
      {shift && (
        <p class="muted" data-testid="shift-summary">
          {t(language, 'shiftOpenedAt')} {formatDateTime(shift.opened_at, language)} · {t(language, 'floatLine')} ฿
          {shift.opening_float_display} · {tf(language, 'shiftSales', { count: shift.sales_count })}
        </p>
      )}
      <p>{t(language, 'closeShiftIntro')}</p>
      <label class="field">
        <span class="field-label">{t(language, 'countedCash')}</span>
        <input
          data-testid="counted-cash"
          inputMode="decimal"
          autocomplete="off"
          autoFocus
          value={counted}
          aria-invalid={typo}
          onInput={(event) => setCounted(event.currentTarget.value)}
        />
        {typo && (
          <span class="field-error" role="alert" data-testid="count-typo">
            {t(language, 'invalidMoney')}
          </span>
        )}
      </label>
      <ErrorLine language={language} error={error} />
      <div class="button-row">
        <button type="button" class="secondary" data-testid="close-shift-back" onClick={onBack}>
          {t(language, 'back')}
        </button>
        <button type="submit" class="primary big" data-testid="close-shift-submit" disabled={busy}>
          {t(language, 'closeShiftSubmit')}
        </button>
      </div>
    </form>
  );
}
