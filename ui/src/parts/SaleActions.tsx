// The buttons a person may press for a sale, exactly those the backend lists in
// `SaleView.actions` (already filtered by their role). Settling actions need a note, recorded in
// the ledger with who did it, and a confirmation that says in words what money moves.
import { useState } from 'preact/hooks';
import { actionName, t, tf, type Language } from '../i18n';
import {
  cancelSale,
  checkAgain,
  confirmPayment,
  isAppError,
  resolveSale,
  type AppError,
  type SaleAction,
  type SaleView,
} from '../platform';
import { ConfirmDialog } from './Dialog';
import { ErrorLine } from './ErrorLine';

interface Props {
  language: Language;
  sale: SaleView;
  /** Runs the command and shows its reply (in order with event fetches, see useLiveSale). */
  run?: (command: () => Promise<SaleView>) => Promise<SaleView>;
  onChanged?: (sale: SaleView) => void;
  /** Actions drawn elsewhere on the same screen. */
  exclude?: SaleAction[];
}

/** Actions that record something a person did or checked: they need a note. */
const NEEDS_NOTE: readonly SaleAction[] = ['mark_refunded', 'mark_delivered', 'mark_not_delivered'];

/** The amount the customer handed over (a provider may have added a few satang). */
export function paidDisplay(sale: SaleView): string {
  return sale.payment?.amount_display ?? sale.amount_display;
}

export function SaleActions({ language, sale, run, onChanged, exclude = [] }: Props) {
  const [note, setNote] = useState('');
  const [asking, setAsking] = useState<SaleAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [noteMissing, setNoteMissing] = useState(false);

  const shown = sale.actions.filter((action) => !exclude.includes(action));
  if (shown.length === 0) return null;
  const needsNote = shown.some((action) => NEEDS_NOTE.includes(action));
  const values = { amount: paidDisplay(sale), phone: sale.phone_display };

  function command(action: SaleAction): () => Promise<SaleView> {
    switch (action) {
      case 'confirm_payment':
        return () => confirmPayment(sale.id);
      case 'cancel':
        return () => cancelSale(sale.id);
      case 'check_again':
        return () => checkAgain(sale.id);
      case 'mark_refunded':
      case 'mark_delivered':
      case 'mark_not_delivered':
        return () => resolveSale({ sale_id: sale.id, action, note: note.trim() });
    }
  }

  async function perform(action: SaleAction) {
    setBusy(true);
    setError(null);
    try {
      const view = run ? await run(command(action)) : await command(action)();
      setAsking(null);
      setNote('');
      onChanged?.(view);
    } catch (caught) {
      setAsking(null);
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  function press(action: SaleAction) {
    setError(null);
    if (NEEDS_NOTE.includes(action) && note.trim() === '') {
      setNoteMissing(true);
      return;
    }
    setNoteMissing(false);
    if (action === 'check_again') {
      void perform(action);
    } else {
      setAsking(action);
    }
  }

  const question = (action: SaleAction): string => {
    switch (action) {
      case 'mark_refunded':
        return tf(language, 'confirmRefund', values);
      case 'mark_delivered':
        return tf(language, 'confirmDelivered', values);
      case 'mark_not_delivered':
        return tf(language, 'confirmNotDelivered', values);
      case 'cancel':
        return t(language, 'confirmCancelSale');
      case 'confirm_payment':
        return tf(language, 'confirmPaymentQuestion', values);
      case 'check_again':
        return actionName(language, action);
    }
  };

  return (
    <div class="sale-actions" data-testid={`sale-actions-${sale.id}`}>
      {needsNote && (
        <label class="field">
          <span class="field-label">{t(language, 'note')}</span>
          <textarea
            data-testid="resolution-note"
            rows={2}
            value={note}
            aria-invalid={noteMissing}
            onInput={(event) => {
              setNote(event.currentTarget.value);
              setNoteMissing(false);
            }}
          />
          {noteMissing && (
            <span class="field-error" role="alert" data-testid="note-required">
              {t(language, 'noteRequired')}
            </span>
          )}
        </label>
      )}
      <div class="button-row">
        {shown.map((action) => (
          <button
            type="button"
            key={action}
            class={action === 'check_again' ? 'secondary' : action === 'cancel' ? 'danger-outline' : 'primary'}
            data-testid={`action-${action}`}
            disabled={busy}
            onClick={() => press(action)}
          >
            {actionName(language, action)}
          </button>
        ))}
      </div>
      <ErrorLine language={language} error={error} testId="action-error" />
      {asking && (
        <ConfirmDialog
          language={language}
          title={t(language, 'confirmMoneyTitle')}
          confirmLabel={actionName(language, asking)}
          busy={busy}
          onConfirm={() => perform(asking)}
          onCancel={() => setAsking(null)}
        >
          <p data-testid="confirm-question">{question(asking)}</p>
          {NEEDS_NOTE.includes(asking) && <p class="muted">“{note.trim()}”</p>}
        </ConfirmDialog>
      )}
    </div>
  );
}
