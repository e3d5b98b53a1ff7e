// The cashier's counter: keyboard-first selling. Keys 1–6 pick the network, the number is typed
// (formatted as typed), Enter moves to the amount, Enter sells. The live sale beside the form is
// kept current by the backend's `sale-updated` events; recent numbers can be sold again with one
// press.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { formatBaht, formatSatang, parseBahtToSatang, satangToTyped } from '../format/money';
import { formatPhone, isMobileNumber } from '../format/phone';
import { formatTime } from '../format/dates';
import { methodName, saleStateName, saleStateSentence, t, tf, type Language } from '../i18n';
import {
  cancelSale,
  confirmPayment,
  demoPay,
  isAppError,
  offer as fetchOffer,
  onSaleUpdated,
  recentSales,
  sale as fetchSale,
  startSale,
  type AppError,
  type Network,
  type NetworkOffer,
  type Offer,
  type PaymentMethod,
  type SaleView,
  type ShopStatus,
} from '../platform';
import { ConfirmDialog, Modal } from '../parts/Dialog';
import { ErrorLine } from '../parts/ErrorLine';
import { QrBlock } from '../parts/QrBlock';
import { ReceiptPanel } from '../parts/ReceiptPanel';
import { paidDisplay, SaleActions } from '../parts/SaleActions';
import { SaleSteps } from '../parts/SaleSteps';
import { isProviderQr, useExpiryCancel } from '../parts/useExpiryCancel';
import { useDocumentKey } from '../parts/useDocumentKey';
import { useLiveSale } from '../parts/useLiveSale';
import { useSecondsLeft } from '../parts/useSecondsLeft';
import { OpenShiftPanel } from './Shift';

interface Props {
  language: Language;
  status: ShopStatus;
  onStatus: (status?: ShopStatus) => void;
  onOpenAttention: () => void;
}

type Field = 'network' | 'phone' | 'amount' | 'method' | 'form';

interface FormProblem {
  field: Field;
  /** A backend refusal, shown with its sentence. */
  error?: AppError;
  /** A check made here before sending, shown as this text. */
  text?: string;
}

/** Which field a backend refusal belongs under, so the cashier sees it where the mistake is. */
function fieldOf(error: AppError): Field {
  switch (error.code) {
    case 'invalid_phone':
      return 'phone';
    case 'invalid_amount':
    case 'amount_not_sold':
      return 'amount';
    case 'payment_method_unavailable':
      return 'method';
    default:
      return 'form';
  }
}

function isTextField(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

export function Counter({ language, status, onStatus, onOpenAttention }: Props) {
  if (!status.shift) {
    return <OpenShiftPanel language={language} onOpened={onStatus} />;
  }
  return <CounterDesk language={language} status={status} onStatus={onStatus} onOpenAttention={onOpenAttention} />;
}

function CounterDesk({ language, status, onStatus, onOpenAttention }: Props) {
  const [offer, setOffer] = useState<Offer | null>(null);
  const [offerError, setOfferError] = useState<AppError | null>(null);
  const [network, setNetwork] = useState<Network | null>(null);
  const [phone, setPhone] = useState('');
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<PaymentMethod | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<SaleView[]>([]);
  const [receiptFor, setReceiptFor] = useState<string | null>(null);
  const live = useLiveSale();
  const phoneInput = useRef<HTMLInputElement>(null);
  const amountInput = useRef<HTMLInputElement>(null);
  const networkGroup = useRef<HTMLDivElement>(null);

  const loadRecent = useCallback(async () => {
    try {
      setRecent(await recentSales());
    } catch {
      // The list is a convenience; the sale panel and the attention list carry the money.
    }
  }, []);

  useEffect(() => {
    fetchOffer().then(
      (reply) => {
        setOffer(reply);
        const usable = reply.methods.filter((entry) => entry.available).map((entry) => entry.method);
        setMethod((current) => (current && usable.includes(current) ? current : (usable[0] ?? null)));
      },
      (error: AppError) => setOfferError(error),
    );
    void loadRecent();
    networkGroup.current?.focus();
  }, []);

  // Any sale changing (this one settling, an older one topped up) refreshes the recent list.
  useEffect(() => {
    const stop = onSaleUpdated(() => void loadRecent());
    return () => void stop.then((unlisten) => unlisten());
  }, []);

  const sale = live.sale;
  const selling = status.problems.length === 0;
  const locked = busy || !selling || sale?.state === 'awaiting_payment';
  const chosen: NetworkOffer | undefined = offer?.networks.find((entry) => entry.network === network);

  function pickNetwork(next: Network) {
    setNetwork(next);
    setProblem(null);
    phoneInput.current?.focus();
  }

  function clearForm() {
    setNetwork(null);
    setPhone('');
    setAmount('');
    setProblem(null);
    live.show(null);
    networkGroup.current?.focus();
  }

  function repeat(from: SaleView) {
    setNetwork(from.network);
    setPhone(formatPhone(from.phone_display));
    setAmount(satangToTyped(from.amount));
    if (offer?.methods.some((entry) => entry.method === from.method && entry.available)) setMethod(from.method);
    setProblem(null);
    if (sale && sale.state !== 'awaiting_payment') live.show(null);
    amountInput.current?.focus();
  }

  /** Checks made before sending (the backend checks everything again). */
  function check(): FormProblem | null {
    if (!network || !chosen) return { field: 'network', text: t(language, 'pickNetwork') };
    if (!isMobileNumber(phone)) return { field: 'phone', error: { code: 'invalid_phone', message: '' } };
    const satang = parseBahtToSatang(amount);
    if (satang === null || satang <= 0) return { field: 'amount', error: { code: 'invalid_amount', message: '' } };
    if (satang < chosen.min || satang > chosen.max) {
      return { field: 'amount', text: tf(language, 'amountOutOfRange', { min: formatSatang(chosen.min), max: formatSatang(chosen.max) }) };
    }
    if (!method) return { field: 'method', text: t(language, 'pickMethod') };
    return null;
  }

  async function sell(event?: Event) {
    event?.preventDefault();
    if (locked) return;
    const found = check();
    setProblem(found);
    if (found) {
      if (found.field === 'phone') phoneInput.current?.focus();
      if (found.field === 'amount') amountInput.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const view = await startSale({ network: network as Network, phone, amount: amount.trim(), method: method as PaymentMethod });
      live.show(view);
      void loadRecent();
      onStatus();
    } catch (caught) {
      const error = isAppError(caught) ? caught : { code: 'internal' as const, message: String(caught) };
      setProblem({ field: fieldOf(error), error });
      if (error.code === 'shift_not_open') onStatus();
    } finally {
      setBusy(false);
    }
  }

  // Hotkeys outside text fields: 1–6 network, R repeat the last sale; Escape anywhere clears
  // the form once the sale on screen no longer waits for money.
  useDocumentKey((event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || document.querySelector('[role="dialog"]')) return;
    if (event.key === 'Escape') {
      if (sale?.state === 'awaiting_payment') return;
      event.preventDefault();
      clearForm();
      return;
    }
    if (isTextField(event.target) || locked) return;
    const index = Number.parseInt(event.key, 10);
    if (offer && index >= 1 && index <= offer.networks.length) {
      const entry = offer.networks[index - 1];
      if (entry.available) {
        event.preventDefault();
        pickNetwork(entry.network);
      }
    } else if ((event.key === 'r' || event.key === 'R') && recent.length > 0) {
      event.preventDefault();
      repeat(recent[0]);
    }
  });

  function onPhoneKey(event: KeyboardEvent) {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (!isMobileNumber(phone)) {
      setProblem({ field: 'phone', error: { code: 'invalid_phone', message: '' } });
      return;
    }
    setProblem(null);
    if (amount.trim() === '') amountInput.current?.focus();
    else void sell();
  }

  const problemText = (field: Field) =>
    problem && problem.field === field ? (
      problem.error ? (
        <ErrorLine language={language} error={problem.error} testId={`error-${field}`} />
      ) : (
        <p class="field-error" role="alert" data-testid={`error-${field}`}>
          {problem.text}
        </p>
      )
    ) : null;

  return (
    <div class="counter">
      <form class="card counter-form" onSubmit={sell} novalidate data-testid="sale-form">
        <fieldset disabled={locked} class="plain">
          <div class="field">
            <span class="field-label">{t(language, 'network')}</span>
            <div class="network-grid" ref={networkGroup} tabIndex={-1} data-testid="networks" role="group">
              {offer?.networks.map((entry, index) => (
                <button
                  type="button"
                  key={entry.network}
                  class={`choice network-${entry.network}${entry.network === network ? ' is-chosen' : ''}`}
                  data-testid={`network-${entry.network}`}
                  aria-pressed={entry.network === network}
                  disabled={!entry.available}
                  onClick={() => pickNetwork(entry.network)}
                >
                  <kbd>{index + 1}</kbd> {entry.name}
                  {!entry.available && <small> · {t(language, 'networkUnavailable')}</small>}
                </button>
              ))}
            </div>
            {problemText('network')}
            <ErrorLine language={language} error={offerError} testId="offer-error" />
          </div>

          <div class="field-pair">
            <label class="field">
              <span class="field-label">{t(language, 'phone')}</span>
              <input
                ref={phoneInput}
                data-testid="phone"
                inputMode="tel"
                autocomplete="off"
                placeholder="081-234-5678"
                value={phone}
                aria-invalid={problem?.field === 'phone'}
                onInput={(event) => {
                  const formatted = formatPhone(event.currentTarget.value);
                  event.currentTarget.value = formatted;
                  setPhone(formatted);
                  if (problem?.field === 'phone') setProblem(null);
                }}
                onKeyDown={onPhoneKey}
              />
            </label>
            <label class="field">
              <span class="field-label">{t(language, 'amount')}</span>
              <input
                ref={amountInput}
                data-testid="amount"
                inputMode="decimal"
                autocomplete="off"
                value={amount}
                aria-invalid={problem?.field === 'amount'}
                onInput={(event) => {
                  setAmount(event.currentTarget.value);
                  if (problem?.field === 'amount') setProblem(null);
                }}
              />
            </label>
          </div>
          {problemText('phone')}

          <div class="field">
            <div class="amount-buttons" data-testid="amount-buttons">
              {chosen?.amounts.map((satang) => (
                <button
                  type="button"
                  key={satang}
                  class={`choice small${parseBahtToSatang(amount) === satang ? ' is-chosen' : ''}`}
                  data-testid={`amount-${satangToTyped(satang)}`}
                  onClick={() => {
                    setAmount(satangToTyped(satang));
                    setProblem(null);
                    amountInput.current?.focus();
                  }}
                >
                  {formatSatang(satang).replace(/\.00$/, '')}
                </button>
              ))}
            </div>
            {chosen && (
              <span class="field-hint" data-testid="amount-range">
                {tf(language, 'amountRange', { min: formatSatang(chosen.min), max: formatSatang(chosen.max) })}
              </span>
            )}
            {problemText('amount')}
          </div>

          <div class="field">
            <span class="field-label">{t(language, 'method')}</span>
            <div class="method-row" role="group" data-testid="methods">
              {offer?.methods.map((entry) => (
                <button
                  type="button"
                  key={entry.method}
                  class={`choice small${entry.method === method ? ' is-chosen' : ''}`}
                  data-testid={`method-${entry.method}`}
                  aria-pressed={entry.method === method}
                  disabled={!entry.available}
                  onClick={() => {
                    setMethod(entry.method);
                    // Back to the amount, so Enter sells.
                    amountInput.current?.focus();
                  }}
                >
                  {methodName(language, entry.method)}
                </button>
              ))}
            </div>
            {problemText('method')}
          </div>
          {problemText('form')}
          <button type="submit" class="primary big" data-testid="sell" disabled={locked}>
            {busy ? t(language, 'working') : t(language, 'sell')}
          </button>
        </fieldset>
        <p class="keyboard-hint">{t(language, 'keyboardHint')}</p>
      </form>

      <div class="counter-side">
        {sale && (
          <SalePanel
            language={language}
            status={status}
            live={live}
            onNewSale={clearForm}
            onOpenAttention={onOpenAttention}
            onStatus={onStatus}
          />
        )}
        <section class="card recent" data-testid="recent">
          <div class="section-head">
            <h2>{t(language, 'recentTitle')}</h2>
            {recent.length > 0 && (
              <button type="button" class="secondary small" data-testid="repeat-last" disabled={locked} onClick={() => repeat(recent[0])}>
                {t(language, 'repeatLast')}
              </button>
            )}
          </div>
          {recent.length === 0 ? (
            <p class="muted">{t(language, 'recentEmpty')}</p>
          ) : (
            <ul class="recent-list">
              {recent.slice(0, 8).map((entry) => (
                <li key={entry.id} data-testid="recent-sale" data-sale-id={entry.id} data-state={entry.state}>
                  <span class="recent-time">{formatTime(entry.created_at)}</span>
                  <span class="recent-phone">{entry.phone_display}</span>
                  <span class="recent-network">{entry.network_name}</span>
                  <span class="recent-amount">฿{entry.amount_display}</span>
                  <span class={`chip state-${entry.state}`}>{saleStateName(language, entry.state)}</span>
                  <span class="recent-buttons">
                    {entry.state === 'completed' && (
                      <button type="button" class="secondary small" data-testid="recent-receipt" onClick={() => setReceiptFor(entry.id)}>
                        {t(language, 'receipt')}
                      </button>
                    )}
                    <button type="button" class="secondary small" data-testid="recent-repeat" disabled={locked} onClick={() => repeat(entry)}>
                      {t(language, 'repeat')}
                    </button>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {receiptFor && (
        <Modal title={t(language, 'receiptTitle')} onClose={() => setReceiptFor(null)} testId="receipt-modal">
          <ReceiptPanel language={language} saleId={receiptFor} />
          <div class="dialog-buttons">
            <button type="button" class="secondary" data-testid="receipt-close" onClick={() => setReceiptFor(null)}>
              {t(language, 'close')}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

interface PanelProps {
  language: Language;
  status: ShopStatus;
  live: ReturnType<typeof useLiveSale>;
  onNewSale: () => void;
  onOpenAttention: () => void;
  onStatus: () => void;
}

/** The sale on screen: what to collect, the QR and its countdown, the steps, then the receipt. */
function SalePanel({ language, status, live, onNewSale, onOpenAttention, onStatus }: PanelProps) {
  const sale = live.sale as SaleView;
  const left = useSecondsLeft(sale.state === 'awaiting_payment' ? sale.payment : null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  useExpiryCancel(live, left, setError);

  useEffect(() => setError(null), [sale.id]);

  async function act(command: () => Promise<SaleView>) {
    setBusy(true);
    setError(null);
    try {
      await live.run(command);
      onStatus();
    } catch (caught) {
      const refused = isAppError(caught) ? caught : { code: 'internal' as const, message: String(caught) };
      // Refused because the sale moved on meanwhile (paid as the cashier cancelled): show it.
      if (refused.code === 'invalid_request') live.run(() => fetchSale(sale.id)).catch(() => setError(refused));
      else setError(refused);
    } finally {
      setBusy(false);
    }
  }

  const awaiting = sale.state === 'awaiting_payment';
  const payment = sale.payment;
  const values = { amount: paidDisplay(sale), phone: sale.phone_display };
  const canConfirm = awaiting && sale.actions.includes('confirm_payment');
  const canCancel = awaiting && sale.actions.includes('cancel');
  const settling = sale.state === 'needs_attention' || sale.state === 'refund_due';

  return (
    <section class={`card sale-panel state-${sale.state}`} data-testid="sale-panel" data-sale-id={sale.id} data-state={sale.state} aria-live="polite">
      <div class="sale-head">
        <div>
          <div class="sale-phone" data-testid="sale-phone">
            {sale.phone_display}
          </div>
          <div class="muted">
            {sale.network_name} · {methodName(language, sale.method)} ·{' '}
            <span data-testid="sale-id">
              {t(language, 'saleId')} {sale.id}
            </span>
          </div>
        </div>
        <div class="sale-amount" data-testid="sale-amount">
          ฿{sale.amount_display}
        </div>
      </div>
      <SaleSteps language={language} state={sale.state} />
      <p class={`sale-sentence state-${sale.state}`} data-testid="sale-sentence">
        {saleStateSentence(language, sale.state, values)}
      </p>

      {awaiting && sale.method === 'cash' && (
        <p class="instruction" data-testid="collect-cash">
          {t(language, 'collectCash')}: <strong>{formatBaht(payment?.amount ?? sale.amount)}</strong>
        </p>
      )}
      {awaiting && sale.method === 'prompt_pay_local' && <p class="instruction">{t(language, 'checkTransfer')}</p>}
      {awaiting && payment && sale.method !== 'cash' && (
        <QrBlock
          language={language}
          payment={payment}
          secondsLeft={left}
          expiredText={isProviderQr(sale.method) ? t(language, 'qrExpired') : t(language, 'localQrExpired')}
        />
      )}

      {awaiting && (
        <div class="button-row">
          {canConfirm && (
            <button type="button" class="primary big" data-testid="confirm-payment" disabled={busy} onClick={() => act(() => confirmPayment(sale.id))}>
              {tf(language, sale.method === 'cash' ? 'receivedCash' : 'transferSeen', { amount: paidDisplay(sale) })}
            </button>
          )}
          {status.demo && isProviderQr(sale.method) && (
            <button type="button" class="demo-button" data-testid="demo-pay" disabled={busy} onClick={() => act(() => demoPay(sale.id))}>
              {t(language, 'demoPay')}
            </button>
          )}
          {canCancel && (
            <button type="button" class="danger-outline" data-testid="cancel-sale" disabled={busy} onClick={() => setCancelling(true)}>
              {t(language, 'cancelSale')}
            </button>
          )}
        </div>
      )}

      {(sale.state === 'paid' || sale.state === 'topup_pending') && <div class="spinner" data-testid="topping-up" />}

      {settling && (
        <>
          <SaleActions language={language} sale={sale} run={live.run} onChanged={() => onStatus()} />
          <button type="button" class="link-button" data-testid="go-attention" onClick={onOpenAttention}>
            {t(language, 'seeAttention')}
          </button>
        </>
      )}

      {sale.state === 'completed' && <ReceiptPanel language={language} saleId={sale.id} />}

      <ErrorLine language={language} error={error ?? live.fetchError} testId="sale-error" />

      {!awaiting && (
        <button type="button" class="secondary" data-testid="new-sale" onClick={onNewSale}>
          {t(language, 'newSale')}
        </button>
      )}
      {cancelling && (
        <ConfirmDialog
          language={language}
          title={t(language, 'confirmMoneyTitle')}
          confirmLabel={t(language, 'cancelSale')}
          onCancel={() => setCancelling(false)}
          onConfirm={() => {
            setCancelling(false);
            void act(() => cancelSale(sale.id));
          }}
          testId="cancel-confirm"
        >
          <p>{t(language, 'confirmCancelSale')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
