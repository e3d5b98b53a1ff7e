import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, t, type Language } from './i18n';
import { QrScreen } from './QrScreen';

const LANGUAGE_KEY = 'termdee.language';

function initialLanguage(): Language {
  const asked = new URLSearchParams(window.location.search).get('lang');
  const saved = asked ?? window.localStorage.getItem(LANGUAGE_KEY);
  return LANGUAGES.includes(saved as Language) ? (saved as Language) : 'th';
}

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = language;
    window.localStorage.setItem(LANGUAGE_KEY, language);
  }, [language]);

  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">ดี</span>
          <span class="brand-name">{t(language, 'appName')}</span>
          <span class="brand-tagline">{t(language, 'tagline')}</span>
        </div>
        <button
          type="button"
          class="language-toggle"
          data-testid="language-toggle"
          onClick={() => setLanguage(language === 'th' ? 'en' : 'th')}
        >
          {t(language, 'switchLanguage')}
        </button>
      </header>
      <main class="content">
        <QrScreen language={language} />
      </main>
    </div>
  );
}
