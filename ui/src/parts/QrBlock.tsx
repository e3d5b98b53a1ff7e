// A payment QR with the amount written out and the countdown beside it; greyed with a sentence
// over it once the countdown is over.
import { formatMinutesSeconds } from '../countdown';
import { t, type Language } from '../i18n';
import type { PaymentView } from '../platform';

interface Props {
  language: Language;
  payment: PaymentView;
  secondsLeft: number | null;
  /** What to write over the QR once the countdown is over. */
  expiredText: string;
  large?: boolean;
}

export function QrBlock({ language, payment, secondsLeft, expiredText, large = false }: Props) {
  const over = secondsLeft === 0;
  return (
    <div class={`qr-block${large ? ' is-large' : ''}${over ? ' is-expired' : ''}`} data-testid="qr-block">
      <div class="qr-frame">
        {payment.qr_png_data_url ? (
          <img class="qr-image" data-testid="qr-image" src={payment.qr_png_data_url} alt="QR" />
        ) : (
          <div class="qr-placeholder" data-testid="qr-preparing">
            {t(language, 'kioskPreparing')}
          </div>
        )}
        {over && (
          <div class="qr-expired" data-testid="qr-expired">
            <strong>{expiredText}</strong>
          </div>
        )}
      </div>
      <div class="qr-facts">
        <div class="qr-brand">PromptPay · พร้อมเพย์</div>
        <div class="qr-amount" data-testid="qr-amount">
          ฿{payment.amount_display}
        </div>
        {secondsLeft !== null && !over && (
          <p class="countdown" data-testid="countdown-line">
            {t(language, 'qrExpiresIn')}{' '}
            <span class="countdown-time" data-testid="countdown">
              {formatMinutesSeconds(secondsLeft)}
            </span>
          </p>
        )}
        {!over && <p class="scan-hint">{t(language, 'scanWithBankApp')}</p>}
        {payment.link && (
          <a class="qr-link" data-testid="qr-link" href={payment.link} target="_blank" rel="noreferrer">
            {t(language, 'payLink')}
          </a>
        )}
      </div>
    </div>
  );
}
