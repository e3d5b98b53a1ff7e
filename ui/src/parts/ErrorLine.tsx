// An error as the person reads it: the sentence for its code in their language, and the
// backend's English message only as a small "details" line for whoever they call for support.
import { errorSentence, t, type Language } from '../i18n';
import type { AppError } from '../platform';

interface Props {
  language: Language;
  error: AppError | null;
  testId?: string;
}

export function ErrorLine({ language, error, testId = 'error' }: Props) {
  if (!error) return null;
  return (
    <div class="error-line" role="alert" data-testid={testId} data-code={error.code}>
      <span class="error-sentence">{errorSentence(language, error.code)}</span>
      {error.message && (
        <small class="error-details" data-testid={`${testId}-details`}>
          {t(language, 'details')}: {error.message}
        </small>
      )}
    </div>
  );
}
