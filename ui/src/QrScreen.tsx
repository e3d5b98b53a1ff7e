import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMinutesSeconds, secondsLeft, startCountdown, type Countdown } from './countdown';
import { errorSentence, payeeKindName, t, type Language } from './i18n';
import { isAppError, prepareQr, type AppError, type QrScreen as Qr } from './platform';

interface Props {
  language: Language;
}

/** Which field an error belongs under, so the cashier sees it where the mistake is. */
function fieldOf(error: AppError): 'promptpay_id' | 'amount' | 'form' {
  switch (error.code) {
    case 'invalid_promptpay_id':
      return 'promptpay_id';
    case 'invalid_amount':
      return 'amount';
    default:
      // Every other code (settings, ledger, sale-engine refusals) is about the whole form.
      return 'form';
  }
}

export function QrScreen({ language }: Props) {
  const [promptpayId, setPromptpayId] = useState('');
  const [amount, setAmount] = useState('');
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [qr, setQr] = useState<Qr | null>(null);
  const [countdown, setCountdown] = useState<Countdown | null>(null);
  const [left, setLeft] = useState(0);
  const idInput = useRef<HTMLInputElement>(null);

  useEffect(() => idInput.current?.focus(), []);

  useEffect(() => {
    if (!countdown) return;
    const tick = () => setLeft(secondsLeft(countdown));
    tick();
    const timer = window.setInterval(tick, 250);
    return () => window.clearInterval(timer);
  }, [countdown]);

  const expired = qr !== null && left === 0;

  async function submit(event: Event) {
    event.preventDefault();
    setWorking(true);
    setError(null);
    try {
      const screen = await prepareQr({ promptpay_id: promptpayId, amount });
      setQr(screen);
      setCountdown(startCountdown(screen.valid_for_seconds));
    } catch (caught) {
      setQr(null);
      setCountdown(null);
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setWorking(false);
    }
  }

  function startOver() {
    setQr(null);
    setCountdown(null);
    idInput.current?.focus();
  }

  const errorField = error ? fieldOf(error) : null;
  const errorText = error && (
    <p class="field-error" role="alert" data-testid="error" data-code={error.code} title={error.message}>
      {errorSentence(language, error.code)}
    </p>
  );

  return (
    <div class="qr-layout">
      <form class="card form" onSubmit={submit} novalidate>
        <label class="field">
          <span class="field-label">{t(language, 'promptpayId')}</span>
          <input
            ref={idInput}
            data-testid="promptpay-id"
            inputMode="tel"
            autocomplete="off"
            value={promptpayId}
            aria-invalid={errorField === 'promptpay_id'}
            onInput={(event) => setPromptpayId(event.currentTarget.value)}
            placeholder="081-234-5678"
          />
          <span class="field-hint">{t(language, 'promptpayIdHint')}</span>
          {errorField === 'promptpay_id' && errorText}
        </label>
        <label class="field">
          <span class="field-label">{t(language, 'amount')}</span>
          <input
            data-testid="amount"
            inputMode="decimal"
            autocomplete="off"
            value={amount}
            aria-invalid={errorField === 'amount'}
            onInput={(event) => setAmount(event.currentTarget.value)}
            placeholder="150.00"
          />
          <span class="field-hint">{t(language, 'amountHint')}</span>
          {errorField === 'amount' && errorText}
        </label>
        {errorField === 'form' && errorText}
        <button type="submit" class="primary" data-testid="submit" disabled={working}>
          {working ? t(language, 'working') : t(language, 'showQr')}
        </button>
      </form>

      <section class={`card qr-card${expired ? ' is-expired' : ''}`} data-testid="qr-card" aria-live="polite">
        {qr ? (
          <>
            <div class="qr-brand">PromptPay · พร้อมเพย์</div>
            <div class="qr-frame">
              <img
                class="qr-image"
                data-testid="qr-image"
                data-payload={qr.payload}
                src={qr.png_data_url}
                alt={`PromptPay QR ${qr.payee_display}`}
              />
              {expired && (
                <div class="qr-expired" data-testid="expired">
                  <strong>{t(language, 'expired')}</strong>
                  <span>{t(language, 'expiredHelp')}</span>
                </div>
              )}
            </div>
            <dl class="qr-facts">
              <dt>{t(language, 'payTo')}</dt>
              <dd data-testid="payee">
                {qr.payee_display}
                <small> · {payeeKindName(language, qr.payee_kind)}</small>
              </dd>
              <dt>{t(language, 'amountToPay')}</dt>
              <dd class="amount" data-testid="amount-text">
                {qr.amount_display ? `฿${qr.amount_display}` : t(language, 'payerTypesAmount')}
              </dd>
            </dl>
            {expired ? (
              <button type="button" class="primary" data-testid="new-qr" onClick={startOver}>
                {t(language, 'newQr')}
              </button>
            ) : (
              <p class="countdown" data-testid="countdown-line">
                {t(language, 'timeLeft')}{' '}
                <span class="countdown-time" data-testid="countdown">
                  {formatMinutesSeconds(left)}
                </span>
              </p>
            )}
            {!expired && <p class="scan-hint">{t(language, 'scanWithBankApp')}</p>}
          </>
        ) : (
          <p class="placeholder" data-testid="placeholder">
            {t(language, 'placeholder')}
          </p>
        )}
      </section>
    </div>
  );
}
