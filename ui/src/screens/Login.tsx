// Login: big buttons for the operators, then a PIN pad (touch or keyboard, masked dots). A wrong
// PIN empties the pad and says so; a locked account says who can unlock it.
import { useEffect, useState } from 'preact/hooks';
import { roleName, t, tf, type Language } from '../i18n';
import { isAppError, login, loginChoices, type AppError, type OperatorView, type ShopStatus } from '../platform';
import { ErrorLine } from '../parts/ErrorLine';
import { LockIcon } from '../parts/Icon';
import { PinPad } from '../parts/PinPad';

export function Login({ language, onDone }: { language: Language; onDone: (status: ShopStatus) => void }) {
  const [choices, setChoices] = useState<OperatorView[] | null>(null);
  const [chosen, setChosen] = useState<OperatorView | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    loginChoices().then(setChoices, (caught: AppError) => setError(caught));
  }, []);

  async function submit(pin: string) {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await login({ operator_id: chosen.id, pin }));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
      setAttempt((count) => count + 1);
    } finally {
      setBusy(false);
    }
  }

  if (chosen) {
    return (
      <section class="card narrow center" data-testid="login-pin">
        <h1>{tf(language, 'enterPin', { name: chosen.name })}</h1>
        <PinPad language={language} onSubmit={submit} busy={busy} resetKey={attempt} />
        <ErrorLine language={language} error={error} testId="login-error" />
        <button
          type="button"
          class="secondary"
          data-testid="login-back"
          onClick={() => {
            setChosen(null);
            setError(null);
          }}
        >
          {t(language, 'back')}
        </button>
      </section>
    );
  }

  return (
    <section class="login" data-testid="login">
      <h1>{t(language, 'loginTitle')}</h1>
      <ErrorLine language={language} error={error} testId="login-error" />
      {choices?.length === 0 && <p class="muted">{t(language, 'noOperators')}</p>}
      <div class="operator-grid">
        {choices?.map((operator) => (
          <button
            type="button"
            key={operator.id}
            class={`operator-button${operator.locked ? ' is-locked' : ''}`}
            data-testid={`login-operator-${operator.id}`}
            onClick={() => setChosen(operator)}
          >
            <span class="operator-name">{operator.name}</span>
            <span class="operator-role">
              {roleName(language, operator.role)}
              {operator.locked && (
                <>
                  {' · '}
                  <LockIcon /> {t(language, 'locked')}
                </>
              )}
            </span>
          </button>
        ))}
      </div>
    </section>
  );
}
