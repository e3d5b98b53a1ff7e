// Sales that need a person: an unknown top-up outcome to check with the provider, or money to
// hand back. Each shows what to do in a sentence and the actions the backend allows this
// operator; settling needs a note and a confirmation, and the ledger records who did it.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime } from '../format/dates';
import { methodName, saleStateName, saleStateSentence, t, type Language } from '../i18n';
import { attention, onSaleUpdated, type AppError, type SaleView } from '../platform';
import { ErrorLine } from '../parts/ErrorLine';
import { paidDisplay, SaleActions } from '../parts/SaleActions';

interface Props {
  language: Language;
  onChanged: () => void;
}

export function AttentionList({ language, onChanged }: Props) {
  const [sales, setSales] = useState<SaleView[] | null>(null);
  const [error, setError] = useState<AppError | null>(null);

  const load = useCallback(async () => {
    try {
      setSales(await attention());
      setError(null);
    } catch (caught) {
      setError(caught as AppError);
    }
  }, []);

  useEffect(() => {
    void load();
    // A sale settling elsewhere (a callback, another register) changes the list.
    const stop = onSaleUpdated(() => void load());
    return () => void stop.then((unlisten) => unlisten());
  }, [load]);

  return (
    <section class="attention" data-testid="attention">
      <h1>{t(language, 'attentionTitle')}</h1>
      <ErrorLine language={language} error={error} />
      {sales?.length === 0 && (
        <p class="card muted" data-testid="attention-empty">
          {t(language, 'attentionEmpty')}
        </p>
      )}
      {sales?.map((sale) => (
        <article class={`card attention-item state-${sale.state}`} key={sale.id} data-testid="attention-item" data-sale-id={sale.id} data-state={sale.state}>
          <div class="sale-head">
            <div>
              <div class="sale-phone">{sale.phone_display}</div>
              <div class="muted">
                {sale.network_name} · {methodName(language, sale.method)} · {formatDateTime(sale.created_at, language)} ·{' '}
                {t(language, 'saleId')} {sale.id} · {t(language, 'soldBy')} {sale.operator_id}
              </div>
            </div>
            <span class={`chip state-${sale.state}`}>{saleStateName(language, sale.state)}</span>
          </div>
          <p class={`sale-sentence state-${sale.state}`} data-testid="attention-sentence">
            {saleStateSentence(language, sale.state, { amount: paidDisplay(sale), phone: sale.phone_display })}
          </p>
          {sale.attention && (
            <small class="error-details" data-testid="attention-details">
              {t(language, 'details')}: {sale.attention}
            </small>
          )}
          <SaleActions
            language={language}
            sale={sale}
            onChanged={() => {
              void load();
              onChanged();
            }}
          />
        </article>
      ))}
    </section>
  );
}
