// A sale's receipt as it prints (the PNG the backend renders), with print / print again.
import { useEffect, useState } from 'preact/hooks';
import { printStateName, t, tf, type Language } from '../i18n';
import { isAppError, printReceipt, receiptPreview, type AppError, type PrintJobView, type ReceiptPreview } from '../platform';
import { ErrorLine } from './ErrorLine';

export function ReceiptPanel({ language, saleId }: { language: Language; saleId: string }) {
  const [preview, setPreview] = useState<ReceiptPreview | null>(null);
  const [job, setJob] = useState<PrintJobView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let alive = true;
    setPreview(null);
    receiptPreview(saleId).then(
      (reply) => alive && setPreview(reply),
      (caught: AppError) => alive && setError(caught),
    );
    return () => {
      alive = false;
    };
  }, [saleId]);

  async function print() {
    setBusy(true);
    setError(null);
    try {
      setJob(await printReceipt(saleId));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="receipt" data-testid="receipt">
      {preview ? (
        <img class="receipt-image" data-testid="receipt-image" src={preview.png_data_url} alt={t(language, 'receiptTitle')} />
      ) : (
        !error && <p class="muted">{t(language, 'loading')}</p>
      )}
      <button type="button" class="secondary" data-testid="print-receipt" onClick={print} disabled={busy}>
        {job ? t(language, 'reprint') : t(language, 'print')}
      </button>
      {job && (
        <p class="muted" data-testid="print-job" data-state={job.state}>
          {tf(language, 'printQueued', { id: job.id, state: printStateName(language, job.state) })}
        </p>
      )}
      <ErrorLine language={language} error={error} testId="receipt-error" />
    </div>
  );
}
