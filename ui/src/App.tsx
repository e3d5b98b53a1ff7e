// The shell: asks the backend where the shop stands (`status`) and shows the screen for it —
// first start, login, the kiosk, or the workspace (counter, attention list, owner dashboard and
// settings) under a top bar with the shop, register, operator and the language toggle. The DEMO
// banner and the problems that stop selling are shown on every screen.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorSentence, LANGUAGES, roleName, t, type Language } from './i18n';
import { isAppError, logout, onSaleUpdated, status as fetchStatus, type AppError, type ShopStatus } from './platform';
import { ErrorLine } from './parts/ErrorLine';
import { AttentionList } from './screens/Attention';
import { Counter } from './screens/Counter';
import { Dashboard } from './screens/Dashboard';
import { Kiosk } from './screens/Kiosk';
import { Login } from './screens/Login';
import { Settings } from './screens/Settings';
import { Setup } from './screens/Setup';
import { CloseShiftScreen } from './screens/Shift';

const LANGUAGE_KEY = 'termdee.language';

/** The language asked for in the address (tests), or chosen on this machine before. */
function chosenLanguage(): Language | null {
  const asked = new URLSearchParams(window.location.search).get('lang');
  const saved = asked ?? window.localStorage.getItem(LANGUAGE_KEY);
  return LANGUAGES.includes(saved as Language) ? (saved as Language) : null;
}

type View = 'sell' | 'attention' | 'dashboard' | 'settings' | 'close-shift';

export function App() {
  const [language, setLanguage] = useState<Language>(() => chosenLanguage() ?? 'th');
  const [status, setStatus] = useState<ShopStatus | null>(null);
  const [statusError, setStatusError] = useState<AppError | null>(null);
  const [view, setView] = useState<View>('sell');

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  function toggleLanguage() {
    const next = language === 'th' ? 'en' : 'th';
    setLanguage(next);
    window.localStorage.setItem(LANGUAGE_KEY, next);
  }

  const refresh = useCallback(async (next?: ShopStatus) => {
    if (next) {
      setStatus(next);
      return;
    }
    try {
      setStatus(await fetchStatus());
      setStatusError(null);
    } catch (caught) {
      setStatusError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    }
  }, []);

  useEffect(() => {
    fetchStatus().then(
      (first) => {
        setStatus(first);
        // The shop's language applies until someone picks one on this machine.
        if (!chosenLanguage()) setLanguage(first.language);
        if (first.operator?.role === 'owner') setView('dashboard');
      },
      (caught) => setStatusError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) }),
    );
    // A sale settling may change the attention count in the top bar.
    const stop = onSaleUpdated(() => void refresh());
    return () => void stop.then((unlisten) => unlisten());
  }, [refresh]);

  function loggedIn(next: ShopStatus) {
    setStatus(next);
    setView(next.operator?.role === 'owner' ? 'dashboard' : 'sell');
  }

  async function leave() {
    try {
      loggedIn(await logout());
    } catch (caught) {
      setStatusError(isAppError(caught) ? caught : { code: 'internal', message: String(caught) });
    }
  }

  if (!status) {
    return (
      <div class="shell">
        <main class="content center" data-testid="starting">
          {statusError ? (
            <div class="card narrow">
              <ErrorLine language={language} error={statusError} testId="status-error" />
              <button type="button" class="primary" data-testid="status-retry" onClick={() => refresh()}>
                {t(language, 'retry')}
              </button>
            </div>
          ) : (
            <p class="muted">{t(language, 'loading')}</p>
          )}
        </main>
      </div>
    );
  }

  const banners = (
    <>
      {status.demo && (
        <div class="demo-banner" role="status" data-testid="demo-banner">
          {t(language, 'demoBanner')}
        </div>
      )}
      {status.problems.length > 0 && (
        <div class="problems" role="alert" data-testid="problems">
          <strong>{t(language, 'problemsTitle')}</strong>
          {status.problems.map((problem, index) => (
            <span key={index} class="problem" data-testid="problem" data-code={problem.code}>
              {errorSentence(language, problem.code)}
              <small class="error-details">
                {t(language, 'details')}: {problem.message}
              </small>
            </span>
          ))}
        </div>
      )}
    </>
  );

  if (status.mode === 'kiosk' && !status.setup_needed) {
    return (
      <div class="shell is-kiosk">
        {banners}
        <Kiosk language={language} status={status} onStatus={(next) => (next ? loggedIn(next) : void refresh())} />
      </div>
    );
  }

  const operator = status.operator;
  const isOwner = operator?.role === 'owner';
  const languageToggle = (
    <button type="button" class="language-toggle" data-testid="language-toggle" onClick={toggleLanguage}>
      {t(language, 'switchLanguage')}
    </button>
  );

  let screen;
  if (status.setup_needed) {
    screen = <Setup language={language} onDone={loggedIn} />;
  } else if (!operator) {
    screen = <Login language={language} onDone={loggedIn} />;
  } else if (view === 'close-shift' && status.shift) {
    screen = <CloseShiftScreen language={language} status={status} onBack={() => setView('sell')} onDone={() => { setView('sell'); void refresh(); }} />;
  } else if (view === 'attention') {
    screen = <AttentionList language={language} onChanged={() => void refresh()} />;
  } else if (view === 'dashboard' && isOwner) {
    screen = <Dashboard language={language} onStatus={refresh} />;
  } else if (view === 'settings' && isOwner) {
    screen = <Settings language={language} onSaved={() => void refresh()} />;
  } else {
    screen = <Counter language={language} status={status} onStatus={refresh} onOpenAttention={() => setView('attention')} />;
  }

  const tab = (which: View, label: string, extra?: ComponentChildren) => (
    <button
      type="button"
      class={`nav-tab${view === which ? ' is-active' : ''}`}
      data-testid={`nav-${which}`}
      aria-current={view === which ? 'page' : undefined}
      onClick={() => setView(which)}
    >
      {label}
      {extra}
    </button>
  );

  return (
    <div class="shell">
      <header class="topbar" data-testid="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ดี
          </span>
          <span class="brand-name" data-testid="shop-name">
            {status.shop_name || t(language, 'appName')}
          </span>
          {!status.setup_needed && (
            <span class="brand-tagline" data-testid="register-name">
              {t(language, 'register')} {status.register_name}
            </span>
          )}
        </div>
        <div class="topbar-right">
          {operator && (
            <span class="operator-chip" data-testid="operator-chip">
              {operator.name} · {roleName(language, operator.role)}
            </span>
          )}
          {languageToggle}
          {operator && (
            <button type="button" class="topbar-button" data-testid="logout" onClick={leave}>
              {t(language, 'logout')}
            </button>
          )}
        </div>
      </header>
      {operator && !status.setup_needed && (
        <nav class="navbar">
          {tab('sell', t(language, 'tabSell'))}
          {tab(
            'attention',
            t(language, 'tabAttention'),
            status.attention_count > 0 && (
              <span class="badge" data-testid="attention-badge">
                {status.attention_count}
              </span>
            ),
          )}
          {isOwner && tab('dashboard', t(language, 'tabDashboard'))}
          {isOwner && tab('settings', t(language, 'tabSettings'))}
          <span class="navbar-spacer" />
          {status.shift && tab('close-shift', t(language, 'closeShift'))}
        </nav>
      )}
      {banners}
      <main class="content">{screen}</main>
    </div>
  );
}
