// A PIN pad for touch and keyboard: big digit keys, masked dots, and the keyboard's digits,
// Backspace, Enter and Escape working the same way while the pad is on screen.
import { useEffect, useState } from 'preact/hooks';
import { t, type Language } from '../i18n';
import { useDocumentKey } from './useDocumentKey';

interface Props {
  language: Language;
  /** Called with the digits when the person presses OK or Enter. */
  onSubmit: (pin: string) => void;
  /** While a login is in flight: keys do nothing. */
  busy?: boolean;
  /** Changing it empties the pad (after a wrong PIN). */
  resetKey?: number;
  /** `pin` by default; prefixes every test id. */
  testId?: string;
  /** Larger keys for the kiosk. */
  large?: boolean;
}

const MAX_DIGITS = 8;

export function PinPad({ language, onSubmit, busy = false, resetKey = 0, testId = 'pin', large = false }: Props) {
  const [pin, setPin] = useState('');

  useEffect(() => setPin(''), [resetKey]);

  const press = (digit: string) => setPin((current) => (current.length < MAX_DIGITS ? current + digit : current));
  const backspace = () => setPin((current) => current.slice(0, -1));
  const submit = () => {
    if (!busy && pin.length > 0) onSubmit(pin);
  };

  useDocumentKey((event) => {
    if (busy || event.ctrlKey || event.altKey || event.metaKey) return;
    if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === 'Backspace') backspace();
    else if (event.key === 'Escape') setPin('');
    else if (event.key === 'Enter') submit();
    else return;
    event.preventDefault();
  });

  const dots = Array.from({ length: Math.max(4, pin.length) }, (_, index) => index < pin.length);
  return (
    <div class={`pin-pad${large ? ' is-large' : ''}`} data-testid={testId}>
      <div class="pin-dots" data-testid={`${testId}-dots`} data-length={pin.length} aria-label={`${pin.length}`}>
        {dots.map((filled, index) => (
          <span key={index} class={`pin-dot${filled ? ' is-filled' : ''}`} />
        ))}
      </div>
      <div class="pin-keys">
        {['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((digit) => (
          <button type="button" key={digit} class="pin-key" data-testid={`${testId}-key-${digit}`} disabled={busy} onClick={() => press(digit)}>
            {digit}
          </button>
        ))}
        <button type="button" class="pin-key is-muted" data-testid={`${testId}-backspace`} disabled={busy} onClick={backspace} aria-label={t(language, 'pinBackspace')}>
          ⌫
        </button>
        <button type="button" class="pin-key" data-testid={`${testId}-key-0`} disabled={busy} onClick={() => press('0')}>
          0
        </button>
        <button type="button" class="pin-key is-ok" data-testid={`${testId}-ok`} disabled={busy || pin.length === 0} onClick={submit}>
          {t(language, 'pinEnter')}
        </button>
      </div>
    </div>
  );
}
