// When a provider QR's countdown reaches zero, cancel the sale at the provider (`cancel_sale`)
// rather than leave a QR payable that the screen calls expired. If the customer paid at the last
// moment the backend refuses the cancel (or answers with the paid sale): the sale is fetched
// again and the paid path shown, so a paid sale is never shown as expired.
import { useEffect, useRef } from 'preact/hooks';
import { cancelSale, sale as fetchSale, type AppError, type PaymentMethod, type SaleView } from '../platform';
import type { LiveSale } from './useLiveSale';

/** Methods whose QR lives at a provider (and can be cancelled there). The shop's own PromptPay QR
 *  has no provider to cancel at: the cashier confirms or cancels it by hand. */
export function isProviderQr(method: PaymentMethod): boolean {
  return method === 'tmweasy' || method === 'deposit_qr' || method === 'blue_pay';
}

export function useExpiryCancel(live: LiveSale, secondsLeft: number | null, onError?: (error: AppError) => void) {
  const cancelled = useRef<string | null>(null);
  const sale: SaleView | null = live.sale;
  useEffect(() => {
    if (!sale || secondsLeft !== 0 || sale.state !== 'awaiting_payment' || !isProviderQr(sale.method)) return;
    if (cancelled.current === sale.id) return;
    cancelled.current = sale.id;
    const id = sale.id;
    live.run(() => cancelSale(id)).catch((error: AppError) => {
      // Refused: most likely paid meanwhile. Show what the ledger says now.
      live.run(() => fetchSale(id)).catch((again: AppError) => onError?.(again));
      if (error.code !== 'invalid_request') onError?.(error);
    });
  }, [sale, secondsLeft]);
}
