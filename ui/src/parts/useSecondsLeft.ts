// The seconds left on a payment, counted down on the monotonic clock from the `seconds_left` the
// backend replied with (money rule 8: a wall-clock change must not stretch a QR's life).
import { useEffect, useState } from 'preact/hooks';
import { secondsLeft, startCountdown } from '../countdown';
import type { PaymentView } from '../platform';

/** `null` when the payment does not expire. */
export function useSecondsLeft(payment: PaymentView | null | undefined): number | null {
  const start = payment?.seconds_left ?? null;
  const [left, setLeft] = useState<number | null>(start);
  useEffect(() => {
    if (start === null) {
      setLeft(null);
      return;
    }
    const countdown = startCountdown(start);
    const tick = () => setLeft(secondsLeft(countdown));
    tick();
    const timer = window.setInterval(tick, 250);
    return () => window.clearInterval(timer);
    // A new reply (a fresh `seconds_left`) restarts the countdown from the backend's figure.
  }, [payment]);
  return left;
}
