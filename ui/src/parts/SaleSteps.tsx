// The sale's progress as three steps: paying → topping up → done, with the third turning into
// "failed → refund due" (or "refunded") and the first into "expired" / "cancelled" when a sale
// ends there. Driven only by the backend's SaleState.
import { saleStateName, t, type Language } from '../i18n';
import type { SaleState } from '../platform';

type StepLook = 'waiting' | 'active' | 'done' | 'failed';

function looks(state: SaleState): [StepLook, StepLook, StepLook] {
  switch (state) {
    case 'awaiting_payment':
      return ['active', 'waiting', 'waiting'];
    case 'payment_expired':
    case 'payment_cancelled':
      return ['failed', 'waiting', 'waiting'];
    case 'paid':
    case 'topup_pending':
    case 'needs_attention':
      return ['done', 'active', 'waiting'];
    case 'completed':
      return ['done', 'done', 'done'];
    case 'refund_due':
    case 'refunded':
      return ['done', 'failed', 'failed'];
  }
}

export function SaleSteps({ language, state }: { language: Language; state: SaleState }) {
  const [paying, toppingUp, end] = looks(state);
  const firstLabel =
    state === 'payment_expired' || state === 'payment_cancelled' ? saleStateName(language, state) : t(language, 'stepPaying');
  const lastLabel =
    state === 'refund_due'
      ? `${t(language, 'stepFailed')} → ${t(language, 'stepRefund')}`
      : state === 'refunded'
        ? `${t(language, 'stepFailed')} → ${saleStateName(language, 'refunded')}`
        : t(language, 'stepDone');
  const middleLabel = state === 'needs_attention' ? saleStateName(language, state) : t(language, 'stepToppingUp');
  return (
    <ol class="steps" data-testid="sale-steps" data-state={state}>
      <li class={`step is-${paying}`} data-step="paying" data-look={paying}>
        {firstLabel}
      </li>
      <li class={`step is-${toppingUp}`} data-step="topping_up" data-look={toppingUp}>
        {middleLabel}
      </li>
      <li class={`step is-${end}`} data-step="done" data-look={end}>
        {lastLabel}
      </li>
    </ol>
  );
}
