// First start: there is no owner and no default PIN; the first person sets the owner's name,
// the shop's name and a PIN typed twice.
import { useState } from 'preact/hooks';
import { errorSentence, t, type Language } from '../i18n';
import { isAppError, setupOwner, type AppError, type ShopStatus } from '../platform';
import { ErrorLine } from '../parts/ErrorLine';

type Problem = 'name' | 'shop' | 'pin' | 'pinAgain';

export function Setup({ language, onDone }: { language: Language; onDone: (status: ShopStatus) => void }) {
  const [name, setName] = useState('');
  const [shopName, setShopName] = useState('');
  const [pin, setPin] = useState('');
  const [pinAgain, setPinAgain] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const found: Problem | null =
      name.trim() === '' ? 'name' : shopName.trim() === '' ? 'shop' : !/^\d{4,8}$/.test(pin) ? 'pin' : pin !== pinAgain ? 'pinAgain' : null;
    setProblem(found);
    setError(null);
    if (found) return;
    setBusy(true);
    try {
      onDone(await setupOwner({ name: name.trim(), shop_name: shopName.trim(), pin }));
    } catch (caught) {
      setError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    } finally {
      setBusy(false);
    }
  }

  const complaint = (which: Problem, text: string) =>
    problem === which && (
      <span class="field-error" role="alert" data-testid={`setup-error-${which}`}>
        {text}
      </span>
    );

  return (
    <form class="card narrow" data-testid="setup" onSubmit={submit} novalidate>
      <h1>{t(language, 'setupTitle')}</h1>
      <p class="muted">{t(language, 'setupIntro')}</p>
      <label class="field">
        <span class="field-label">{t(language, 'ownerName')}</span>
        <input data-testid="setup-name" value={name} autoFocus onInput={(event) => setName(event.currentTarget.value)} />
        {complaint('name', t(language, 'nameRequired'))}
      </label>
      <label class="field">
        <span class="field-label">{t(language, 'shopName')}</span>
        <input data-testid="setup-shop" value={shopName} onInput={(event) => setShopName(event.currentTarget.value)} />
        {complaint('shop', t(language, 'nameRequired'))}
      </label>
      <label class="field">
        <span class="field-label">{t(language, 'pin')}</span>
        <input
          data-testid="setup-pin"
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          value={pin}
          onInput={(event) => setPin(event.currentTarget.value)}
        />
        {complaint('pin', errorSentence(language, 'invalid_pin'))}
      </label>
      <label class="field">
        <span class="field-label">{t(language, 'pinAgain')}</span>
        <input
          data-testid="setup-pin-again"
          type="password"
          inputMode="numeric"
          autocomplete="new-password"
          value={pinAgain}
          onInput={(event) => setPinAgain(event.currentTarget.value)}
        />
        {complaint('pinAgain', t(language, 'pinsDiffer'))}
      </label>
      <ErrorLine language={language} error={error} />
      <button type="submit" class="primary big" data-testid="setup-submit" disabled={busy}>
        {t(language, 'createOwner')}
      </button>
    </form>
  );
}
