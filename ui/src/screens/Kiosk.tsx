// The unattended kiosk: attract screen → network → number (typed twice, the second must match)
// → amount → QR with a large countdown → result → back to the attract screen.
//
// Money decisions stay with the backend: the screen only follows the sale's state from
// `sale-updated` events. When the QR's countdown ends the sale is cancelled at the provider
// (`cancel_sale`), and a payment that beat the cancel still shows the paid path. A customer who
// walks away before paying is caught by the idle timeout, which cancels an unpaid sale; while a
// QR is counting down the countdown itself is the timeout (a customer scanning with their phone
// does not touch the screen, and must not have their QR cancelled under them).
import { useEffect, useRef, useState } from 'preact/hooks';
import { secondsLeft, startCountdown, formatMinutesSeconds, type Countdown } from '../countdown';
import { satangToTyped, formatSatang } from '../format/money';
import { formatPhone, isMobileNumber, phoneDigits } from '../format/phone';
import { errorSentence, t, tf, type Language } from '../i18n';
import {
  cancelSale,
  demoPay,
  isAppError,
  leaveKiosk,
  offer as fetchOffer,
  sale as fetchSale,
  startSale,
  type AppError,
  type NetworkOffer,
  type Offer,
  type PaymentMethod,
  type SaleState,
  type SaleView,
  type ShopStatus,
} from '../platform';
import { ErrorLine } from '../parts/ErrorLine';
import { ClockIcon } from '../parts/Icon';
import { Modal } from '../parts/Dialog';
import { PinPad } from '../parts/PinPad';
import { isProviderQr, useExpiryCancel } from '../parts/useExpiryCancel';
import { useDocumentKey } from '../parts/useDocumentKey';
import { useLiveSale } from '../parts/useLiveSale';
import { useSecondsLeft } from '../parts/useSecondsLeft';

type Step = 'attract' | 'network' | 'number' | 'confirm' | 'amount' | 'pay';

/** How long the logo must be held to open "leave kiosk mode". */
const LEAVE_HOLD_MS = 3000;
/** How long a result stays on screen: long enough to note a sale id when money is owed. */
const SUCCESS_SECONDS = 10;
const PROBLEM_SECONDS = 30;

/** States where the customer's part is over: the result screen, then back to the start. */
const FINAL: readonly SaleState[] = ['completed', 'refund_due', 'refunded', 'needs_attention', 'payment_expired', 'payment_cancelled'];

interface Props {
  language: Language;
  status: ShopStatus;
  onStatus: (status?: ShopStatus) => void;
}

/** The QR method a kiosk uses: the first provider QR that is set up. */
function kioskMethod(offer: Offer | null): PaymentMethod | null {
  return offer?.methods.find((entry) => entry.available && isProviderQr(entry.method))?.method ?? null;
}

export function Kiosk({ language: shopLanguage, status, onStatus }: Props) {
  const [language, setLanguage] = useState<Language>(shopLanguage);
  const [step, setStep] = useState<Step>('attract');
  const [offer, setOffer] = useState<Offer | null>(null);
  const [network, setNetwork] = useState<NetworkOffer | null>(null);
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [numberProblem, setNumberProblem] = useState<'bad' | 'mismatch' | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const live = useLiveSale();
  const sale = live.sale;
  const saleRef = useRef(sale);
  saleRef.current = sale;
  const left = useSecondsLeft(sale?.state === 'awaiting_payment' ? sale.payment : null);
  useExpiryCancel(live, left, setError);
  // The sale whose QR ran out on screen: its cancel is an expiry to the customer, whichever of
  // "cancelled" or "expired" the backend records.
  const [timedOut, setTimedOut] = useState<string | null>(null);
  useEffect(() => {
    if (sale && left === 0) setTimedOut(sale.id);
  }, [sale?.id, left]);

  const outOfService = status.problems.length > 0;
  const method = kioskMethod(offer);
  const final = sale !== null && FINAL.includes(sale.state);

  function reset() {
    setStep('attract');
    setNetwork(null);
    setFirst('');
    setSecond('');
    setNumberProblem(null);
    setError(null);
    setBusy(false);
    live.show(null);
    setLanguage(shopLanguage);
  }

  useEffect(() => {
    fetchOffer().then(setOffer, (caught: AppError) => setError(caught));
  }, []);

  async function begin() {
    setError(null);
    try {
      setOffer(await fetchOffer());
      setStep('network');
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    }
  }

  // --- The idle timeout ---------------------------------------------------------------------------
  const idleTimer = useRef<number | undefined>(undefined);
  const countdownRunning = sale?.state === 'awaiting_payment' && left !== null && left > 0;
  const idleWatched = step !== 'attract' && !final && !countdownRunning && !leaving;

  function goIdle() {
    const unpaid = saleRef.current;
    if (unpaid && unpaid.state === 'awaiting_payment') {
      // Nobody is there to pay: cancel at the provider so the QR cannot be paid later.
      cancelSale(unpaid.id).catch(() => undefined);
    }
    reset();
  }

  useEffect(() => {
    window.clearTimeout(idleTimer.current);
    if (!idleWatched) return;
    const arm = () => {
      window.clearTimeout(idleTimer.current);
      idleTimer.current = window.setTimeout(goIdle, status.kiosk_idle_seconds * 1000);
    };
    arm();
    document.addEventListener('pointerdown', arm, true);
    document.addEventListener('keydown', arm, true);
    return () => {
      window.clearTimeout(idleTimer.current);
      document.removeEventListener('pointerdown', arm, true);
      document.removeEventListener('keydown', arm, true);
    };
  }, [idleWatched, step, status.kiosk_idle_seconds]);

  // --- The result screen's way back ------------------------------------------------------------------
  const [backAt, setBackAt] = useState<Countdown | null>(null);
  const [backLeft, setBackLeft] = useState(0);
  useEffect(() => {
    if (!final || !sale) {
      setBackAt(null);
      return;
    }
    const countdown = startCountdown(sale.state === 'completed' ? SUCCESS_SECONDS : PROBLEM_SECONDS);
    setBackAt(countdown);
    const tick = () => {
      const remaining = secondsLeft(countdown);
      setBackLeft(remaining);
      if (remaining === 0) reset();
    };
    tick();
    const timer = window.setInterval(tick, 250);
    return () => window.clearInterval(timer);
  }, [final, sale?.id, sale?.state]);

  // --- Number entry -----------------------------------------------------------------------------------
  const entry = step === 'confirm' ? second : first;
  const setEntry = step === 'confirm' ? setSecond : setFirst;

  function typeDigit(digit: string) {
    setNumberProblem(null);
    setEntry((current) => phoneDigits(current + digit));
  }

  function numberNext() {
    if (!isMobileNumber(entry)) {
      setNumberProblem('bad');
      return;
    }
    if (step === 'number') {
      setStep('confirm');
      setNumberProblem(null);
      return;
    }
    if (phoneDigits(first) !== phoneDigits(second)) {
      // Start both entries again: a customer who typed it wrong once may have typed it wrong
      // the first time, and credit sent to a wrong number cannot be taken back.
      setFirst('');
      setSecond('');
      setStep('number');
      setNumberProblem('mismatch');
      return;
    }
    setNumberProblem(null);
    setStep('amount');
  }

  // A hardware keypad works as well as the screen's.
  useDocumentKey((event) => {
    if ((step !== 'number' && step !== 'confirm') || leaving) return;
    if (/^[0-9]$/.test(event.key)) typeDigit(event.key);
    else if (event.key === 'Backspace') setEntry((current) => current.slice(0, -1));
    else if (event.key === 'Enter') numberNext();
    else return;
    event.preventDefault();
  });

  // --- Paying -----------------------------------------------------------------------------------------
  async function buy(satang: number) {
    if (!network || !method || busy) return;
    setBusy(true);
    setError(null);
    try {
      const view = await startSale({ network: network.network, phone: formatPhone(first), amount: satangToTyped(satang), method });
      live.show(view);
      setStep('pay');
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  async function cancelUnpaid() {
    if (!sale) return reset();
    setBusy(true);
    try {
      const view = await live.run(() => cancelSale(sale.id));
      // Paid at the last moment: stay and show what happens to the money.
      if (view.state === 'awaiting_payment' || view.state === 'payment_cancelled' || view.state === 'payment_expired') reset();
    } catch (caught) {
      const error = isAppError(caught) ? caught : { code: 'internal' as const, message: String(caught) };
      // Refused because the payment arrived meanwhile: show where the sale is now.
      if (error.code === 'invalid_request') live.run(() => fetchSale(sale.id)).catch(() => setError(error));
      else setError(error);
    } finally {
      setBusy(false);
    }
  }

  async function payAsDemoCustomer() {
    if (!sale) return;
    try {
      await live.run(() => demoPay(sale.id));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    }
  }

  // --- Leaving kiosk mode (hidden: hold the logo for 3 s) -------------------------------------------
  const holdTimer = useRef<number | undefined>(undefined);
  const startHold = () => {
    window.clearTimeout(holdTimer.current);
    holdTimer.current = window.setTimeout(() => setLeaving(true), LEAVE_HOLD_MS);
  };
  const stopHold = () => window.clearTimeout(holdTimer.current);

  const header = (
    <header class="kiosk-head">
      <span
        class="brand-mark kiosk-logo"
        data-testid="kiosk-logo"
        aria-hidden="true"
        onPointerDown={startHold}
        onPointerUp={stopHold}
        onPointerLeave={stopHold}
        onPointerCancel={stopHold}
      >
        ดี
      </span>
      <span class="kiosk-shop" data-testid="kiosk-shop">
        {status.shop_name}
      </span>
      <button
        type="button"
        class="kiosk-language"
        data-testid="kiosk-language"
        onClick={() => setLanguage(language === 'th' ? 'en' : 'th')}
      >
        {t(language, 'switchLanguage')}
      </button>
    </header>
  );

  return (
    <div class="kiosk" data-testid="kiosk" data-step={final ? 'result' : step} lang={language}>
      {header}
      <main class="kiosk-body">
        {step === 'attract' && (
          <button
            type="button"
            class="kiosk-attract"
            data-testid="kiosk-start"
            disabled={outOfService || !method}
            onClick={begin}
          >
            {outOfService ? (
              <span class="kiosk-title">{t(language, 'kioskOutOfService')}</span>
            ) : !method ? (
              <span class="kiosk-title">{t(language, 'kioskNoQr')}</span>
            ) : (
              <>
                <span class="kiosk-title">{t(language, 'kioskTouch')}</span>
                <span class="kiosk-subtitle">{t(language, 'kioskWelcome')}</span>
              </>
            )}
          </button>
        )}

        {step === 'network' && (
          <section class="kiosk-step">
            <h1>{t(language, 'kioskPickNetwork')}</h1>
            <div class="kiosk-grid">
              {offer?.networks.map((entryOffer) => (
                <button
                  type="button"
                  key={entryOffer.network}
                  class={`kiosk-choice network-${entryOffer.network}`}
                  data-testid={`kiosk-network-${entryOffer.network}`}
                  disabled={!entryOffer.available}
                  onClick={() => {
                    setNetwork(entryOffer);
                    setStep('number');
                  }}
                >
                  {entryOffer.name}
                </button>
              ))}
            </div>
            <KioskBack language={language} onClick={reset} />
          </section>
        )}

        {(step === 'number' || step === 'confirm') && (
          <section class="kiosk-step">
            <h1 data-testid="kiosk-number-title">{t(language, step === 'number' ? 'kioskEnterNumber' : 'kioskEnterAgain')}</h1>
            {step === 'confirm' && (
              <p class="kiosk-first" data-testid="kiosk-first-number">
                {formatPhone(first)}
              </p>
            )}
            <div class="kiosk-number" data-testid="kiosk-number">
              {formatPhone(entry) || '\u00a0'}
            </div>
            {numberProblem && (
              <p class="kiosk-problem" role="alert" data-testid="kiosk-number-problem" data-problem={numberProblem}>
                {t(language, numberProblem === 'bad' ? 'kioskBadNumber' : 'kioskMismatch')}
              </p>
            )}
            <div class="kiosk-keypad">
              {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => (
                <button type="button" key={digit} class="kiosk-key" data-testid={`kiosk-key-${digit}`} onClick={() => typeDigit(digit)}>
                  {digit}
                </button>
              ))}
              <button type="button" class="kiosk-key is-muted" data-testid="kiosk-key-clear" onClick={() => setEntry('')}>
                {t(language, 'kioskClear')}
              </button>
              <button type="button" class="kiosk-key" data-testid="kiosk-key-0" onClick={() => typeDigit('0')}>
                0
              </button>
              <button type="button" class="kiosk-key is-muted" data-testid="kiosk-key-back" onClick={() => setEntry((current) => current.slice(0, -1))}>
                ⌫
              </button>
            </div>
            <div class="kiosk-nav">
              <KioskBack language={language} onClick={() => (step === 'confirm' ? setStep('number') : setStep('network'))} />
              <button type="button" class="kiosk-next" data-testid="kiosk-number-next" onClick={numberNext}>
                {t(language, 'kioskNext')}
              </button>
            </div>
          </section>
        )}

        {step === 'amount' && network && (
          <section class="kiosk-step">
            <h1>{t(language, 'kioskPickAmount')}</h1>
            <p class="kiosk-for" data-testid="kiosk-for">
              {tf(language, 'kioskTopupFor', { network: network.name, phone: formatPhone(first) })}
            </p>
            <div class="kiosk-grid amounts">
              {network.amounts.map((satang) => (
                <button
                  type="button"
                  key={satang}
                  class="kiosk-choice"
                  data-testid={`kiosk-amount-${satangToTyped(satang)}`}
                  disabled={busy}
                  onClick={() => buy(satang)}
                >
                  ฿{formatSatang(satang).replace(/\.00$/, '')}
                </button>
              ))}
            </div>
            <ErrorLine language={language} error={error} testId="kiosk-error" />
            <KioskBack language={language} onClick={() => setStep('confirm')} />
          </section>
        )}

        {step === 'pay' && sale && !final && (
          <section class="kiosk-step kiosk-pay" data-testid="kiosk-pay" data-state={sale.state} data-sale-id={sale.id}>
            {sale.state === 'awaiting_payment' && sale.payment ? (
              <>
                <h1>{t(language, 'kioskPay')}</h1>
                <p class="kiosk-for">{tf(language, 'kioskTopupFor', { network: sale.network_name, phone: sale.phone_display })}</p>
                <div class="kiosk-pay-body">
                  <div class="kiosk-qr">
                    {sale.payment.qr_png_data_url ? (
                      <img class="qr-image" data-testid="qr-image" src={sale.payment.qr_png_data_url} alt="QR" />
                    ) : (
                      <div class="qr-placeholder" data-testid="qr-preparing">
                        {t(language, 'kioskPreparing')}
                      </div>
                    )}
                  </div>
                  <div class="kiosk-pay-facts">
                    <span class="muted">{t(language, 'kioskToPay')}</span>
                    <span class="kiosk-amount" data-testid="kiosk-amount">
                      ฿{sale.payment.amount_display}
                    </span>
                    {left !== null && (
                      <span class={`kiosk-countdown${left <= 30 ? ' is-ending' : ''}`} data-testid="kiosk-countdown">
                        {formatMinutesSeconds(left)}
                      </span>
                    )}
                    <span class="kiosk-scan">{t(language, 'scanWithBankApp')}</span>
                  </div>
                </div>
                <div class="kiosk-nav">
                  <button type="button" class="kiosk-back" data-testid="kiosk-cancel" disabled={busy} onClick={cancelUnpaid}>
                    {t(language, 'cancel')}
                  </button>
                  {status.demo && (
                    <button type="button" class="demo-button big" data-testid="demo-pay" onClick={payAsDemoCustomer}>
                      {t(language, 'demoPay')}
                    </button>
                  )}
                </div>
              </>
            ) : (
              <div class="kiosk-progress" data-testid="kiosk-topping-up">
                <div class="spinner" />
                <h1>{t(language, 'kioskToppingUp')}</h1>
              </div>
            )}
            <ErrorLine language={language} error={error ?? live.fetchError} testId="kiosk-error" />
          </section>
        )}

        {final && sale && (
          <KioskResult language={language} sale={sale} timedOut={timedOut === sale.id} backLeft={backAt ? backLeft : 0} onFinish={reset} />
        )}
      </main>

      {leaving && (
        <LeaveKiosk
          language={language}
          onCancel={() => setLeaving(false)}
          onLeft={(next) => {
            setLeaving(false);
            onStatus(next);
          }}
        />
      )}
    </div>
  );
}

function KioskBack({ language, onClick }: { language: Language; onClick: () => void }) {
  return (
    <button type="button" class="kiosk-back" data-testid="kiosk-back" onClick={onClick}>
      ← {t(language, 'back')}
    </button>
  );
}

interface ResultProps {
  language: Language;
  sale: SaleView;
  /** The QR ran out on screen (a cancel then means "expired" to the customer). */
  timedOut: boolean;
  backLeft: number;
  onFinish: () => void;
}

function KioskResult({ language, sale, timedOut, backLeft, onFinish }: ResultProps) {
  const amount = sale.payment?.amount_display ?? sale.amount_display;
  let look: 'ok' | 'refund' | 'held' | 'nothing';
  let title: string;
  let detail: string;
  switch (sale.state) {
    case 'completed':
      look = 'ok';
      title = t(language, 'kioskSuccess');
      detail = tf(language, 'kioskSuccessDetail', { amount: sale.amount_display, phone: sale.phone_display });
      break;
    case 'refund_due':
    case 'refunded':
      look = 'refund';
      title = t(language, 'kioskRefund');
      detail = tf(language, 'kioskRefundDetail', { id: sale.id, amount });
      break;
    case 'needs_attention':
      look = 'held';
      title = t(language, 'kioskHeld');
      detail = tf(language, 'kioskHeldDetail', { id: sale.id });
      break;
    default:
      look = 'nothing';
      title = t(language, sale.state === 'payment_expired' || timedOut ? 'kioskExpired' : 'kioskCancelled');
      detail = '';
  }
  return (
    <section class={`kiosk-step kiosk-result is-${look}`} data-testid="kiosk-result" data-state={sale.state} data-look={look}>
      <div class="kiosk-result-mark" aria-hidden="true">
        {look === 'ok' ? '✓' : look === 'nothing' ? <ClockIcon /> : '!'}
      </div>
      <h1 data-testid="kiosk-result-title">{title}</h1>
      {detail && (
        <p class="kiosk-result-detail" data-testid="kiosk-result-detail">
          {detail}
        </p>
      )}
      {look !== 'ok' && look !== 'nothing' && (
        <p class="kiosk-sale-id" data-testid="kiosk-sale-id">
          {t(language, 'saleId')}: <strong>{sale.id}</strong> · ฿{amount}
        </p>
      )}
      <button type="button" class="kiosk-next" data-testid="kiosk-finish" onClick={onFinish}>
        {t(language, 'kioskFinish')}
      </button>
      <p class="muted" data-testid="kiosk-back-soon">
        {tf(language, 'kioskBackSoon', { seconds: backLeft })}
      </p>
    </section>
  );
}

function LeaveKiosk({ language, onCancel, onLeft }: { language: Language; onCancel: () => void; onLeft: (status: ShopStatus) => void }) {
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  async function submit(pin: string) {
    setBusy(true);
    setError(null);
    try {
      onLeft(await leaveKiosk(pin));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
      setAttempt((count) => count + 1);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title={t(language, 'kioskLeaveTitle')} onClose={onCancel} testId="leave-kiosk">
      <PinPad language={language} onSubmit={submit} busy={busy} resetKey={attempt} testId="leave-pin" large />
      {error && (
        <p class="field-error" role="alert" data-testid="leave-error" data-code={error.code}>
          {errorSentence(language, error.code)}
        </p>
      )}
      <div class="dialog-buttons">
        <button type="button" class="secondary" data-testid="leave-cancel" onClick={onCancel}>
          {t(language, 'cancel')}
        </button>
      </div>
    </Modal>
  );
}
