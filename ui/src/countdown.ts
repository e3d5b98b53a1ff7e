// A countdown on the monotonic clock: wall-clock changes (NTP, a cashier fixing the time) must
// not stretch or shorten how long a QR is payable.

export interface Countdown {
  /** performance.now() at which the QR stops being payable. */
  readonly deadline: number;
}

export function startCountdown(validForSeconds: number, now: number = performance.now()): Countdown {
  return { deadline: now + validForSeconds * 1000 };
}

/** Whole seconds left, rounded up so that "0:00" only shows once the QR has really expired. */
export function secondsLeft(countdown: Countdown, now: number = performance.now()): number {
  return Math.max(0, Math.ceil((countdown.deadline - now) / 1000));
}

/** `m:ss`, as a kiosk or counter display shows it. */
export function formatMinutesSeconds(totalSeconds: number): string {
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}
