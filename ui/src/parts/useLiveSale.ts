// A sale kept current by the backend's `sale-updated` events: on each event for this sale the
// view is fetched again with `sale()`. Nothing here polls on a timer.
//
// Replies can arrive out of order (a `cancel_sale` sent at the end of the countdown may answer
// after a `sale()` fetched because the payment just arrived), so every request takes a number and
// a reply older than the one already shown is dropped.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onSaleUpdated, sale as fetchSale, type AppError, type SaleView } from '../platform';

export interface LiveSale {
  sale: SaleView | null;
  /** Runs a command whose reply is the sale's new view, in order with the event fetches. */
  run: (command: () => Promise<SaleView>) => Promise<SaleView>;
  /** Shows a sale (a new one, or none). */
  show: (sale: SaleView | null) => void;
  /** The last fetch after an event failed (the view may be stale). */
  fetchError: AppError | null;
}

export function useLiveSale(onUpdate?: (sale: SaleView) => void): LiveSale {
  const [sale, setSale] = useState<SaleView | null>(null);
  const [fetchError, setFetchError] = useState<AppError | null>(null);
  const issued = useRef(0);
  const applied = useRef(0);
  const current = useRef<SaleView | null>(null);
  const onUpdateRef = useRef(onUpdate);
  onUpdateRef.current = onUpdate;

  const apply = useCallback((seq: number, view: SaleView) => {
    if (seq < applied.current) return;
    if (current.current && current.current.id !== view.id) return;
    applied.current = seq;
    current.current = view;
    setSale(view);
    onUpdateRef.current?.(view);
  }, []);

  const run = useCallback(
    async (command: () => Promise<SaleView>) => {
      issued.current += 1;
      const seq = issued.current;
      const view = await command();
      apply(seq, view);
      return view;
    },
    [apply],
  );

  const show = useCallback((view: SaleView | null) => {
    issued.current += 1;
    applied.current = issued.current;
    current.current = view;
    setSale(view);
    setFetchError(null);
  }, []);

  useEffect(() => {
    let alive = true;
    const unlisten = onSaleUpdated((update) => {
      const shown = current.current;
      if (!alive || !shown || shown.id !== update.sale_id) return;
      run(() => fetchSale(update.sale_id)).then(
        () => setFetchError(null),
        (error: AppError) => alive && setFetchError(error),
      );
    });
    return () => {
      alive = false;
      unlisten.then((stop) => stop());
    };
  }, [run]);

  return { sale, run, show, fetchError };
}
