import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Icon } from './components/icon.tsx';
import { Loading } from './components/ui.tsx';
import { type Lang, SettingsContext, type Settings, translator } from './i18n/index.tsx';
import { appStore } from './lib/held.ts';
import { match, navigate, usePath } from './lib/router.ts';
import { unlockAudio } from './lib/alert.ts';
import { KioskIdle } from './screens/kiosk-idle.tsx';
import { HomeScreen } from './screens/home.tsx';
import { PlacesScreen } from './screens/places.tsx';
import { SiteScreen } from './screens/site.tsx';
import { ServiceScreen } from './screens/service.tsx';
import { TakeScreen } from './screens/take.tsx';
import { AdoptTicket, TicketScreen } from './screens/ticket.tsx';
import { MineScreen } from './screens/mine.tsx';

// Booking, feedback and video are their own chunks: the first screen (and the ticket page) never waits for them.
const BookStart = lazy(() => import('./booking/book-start.tsx'));
const BookScreen = lazy(() => import('./booking/book.tsx'));
const AppointmentScreen = lazy(() => import('./booking/appointment.tsx'));
const CheckInScreen = lazy(() => import('./booking/check-in.tsx'));
const RateScreen = lazy(() => import('./feedback/rate.tsx'));
const ReportScreen = lazy(() => import('./feedback/report.tsx'));
const VideoScreen = lazy(() => import('./video/video-screen.tsx'));

export interface AppProps {
  kiosk: boolean;
  /** Kiosk fixed to one site (id or code), from `?site=`. */
  kioskSite: string | null;
}

function route(path: string, props: AppProps): ReactNode {
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <HomeScreen kioskSite={props.kioskSite} />;
  if (path === '/places') return <PlacesScreen />;
  if ((m = match('/places/:serviceCode', path))) return <PlacesScreen serviceCode={m.serviceCode!} />;
  if ((m = match('/site/:siteId', path))) return <SiteScreen siteId={m.siteId!} />;
  if ((m = match('/site/:siteId/service/:serviceId', path))) return <ServiceScreen siteId={m.siteId!} serviceId={m.serviceId!} />;
  if ((m = match('/take/:siteId/:serviceId', path))) return <TakeScreen siteId={m.siteId!} serviceId={m.serviceId!} />;
  if ((m = match('/ticket/:id', path))) return <TicketScreen key={m.id} ticketId={m.id!} />;
  if ((m = match('/t/:id/:token', path))) return <AdoptTicket ticketId={m.id!} token={m.token!} />;
  if (path === '/mine') return <MineScreen />;
  if (path === '/book') return <BookStart />;
  if ((m = match('/book/:siteId/:serviceId', path))) return <BookScreen siteId={m.siteId!} serviceId={m.serviceId!} path={path} />;
  if ((m = match('/appointment/:id', path))) return <AppointmentScreen appointmentId={m.id!} />;
  if (path === '/checkin') return <CheckInScreen />;
  if ((m = match('/rate/:ticketId', path))) return <RateScreen ticketId={m.ticketId!} />;
  if (path.split('?')[0] === '/report') return <ReportScreen path={path} />;
  if ((m = match('/video/:ticketId', path))) return <VideoScreen ticketId={m.ticketId!} />;
  return <HomeScreen kioskSite={props.kioskSite} />;
}

export function App(props: AppProps) {
  const path = usePath();
  const store = appStore();
  const [lang, setLangState] = useState<Lang>(() => (store.get('lang') === 'en' ? 'en' : 'zh'));
  const [elderly, setElderlyState] = useState<boolean>(() => store.get('elderly') === '1');

  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    store.set('lang', l);
  }, [store]);
  const setElderly = useCallback((on: boolean) => {
    setElderlyState(on);
    store.set('elderly', on ? '1' : '0');
  }, [store]);

  const settings = useMemo<Settings>(() => ({ lang, elderly, kiosk: props.kiosk, t: translator(lang), setLang, setElderly }), [lang, elderly, props.kiosk, setLang, setElderly]);

  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = settings.t('app.title');
  }, [lang, settings]);
  useEffect(() => {
    const cls = document.documentElement.classList;
    cls.toggle('elderly', elderly);
    cls.toggle('kiosk', props.kiosk);
  }, [elderly, props.kiosk]);

  // The first touch unlocks sound (for the call chime) and, on a kiosk, goes full screen.
  useEffect(() => {
    const onFirst = () => {
      unlockAudio();
      if (props.kiosk && !document.fullscreenElement) void document.documentElement.requestFullscreen?.().catch(() => undefined);
    };
    window.addEventListener('pointerdown', onFirst);
    window.addEventListener('keydown', onFirst);
    return () => {
      window.removeEventListener('pointerdown', onFirst);
      window.removeEventListener('keydown', onFirst);
    };
  }, [props.kiosk]);

  const kioskReset = useCallback(() => {
    // Nothing of this citizen stays: tokens, language, mode, the screen, and every in-memory cache (a
    // reload starts the app from nothing; the hashed assets come from the browser cache).
    store.clear();
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}#/`);
    window.location.reload();
  }, [store]);

  const { t } = settings;
  return (
    <SettingsContext.Provider value={settings}>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skip')}
      </a>
      <header className="topbar">
        <button type="button" className="brand" onClick={() => navigate('/')} aria-label={`${t('app.title')} – ${t('nav.home')}`}>
          <span className="logo" aria-hidden="true">一</span>
          <span className="brand-text">{t('app.title')}</span>
        </button>
        <div className="top-actions">
          <button type="button" className="chip" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} title={t('lang.label')} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
            {t('lang.toggle')}
          </button>
          <button type="button" className={`chip ${elderly ? 'on' : ''}`} aria-pressed={elderly} onClick={() => setElderly(!elderly)} title={t('elderly.label')}>
            <Icon name="glasses" size="1.1em" /> 
            {t('elderly.on')}
          </button>
          {props.kiosk && (
            <button type="button" className="chip" onClick={kioskReset}>
              {t('kiosk.reset')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>{route(path, props)}</Suspense>
      </main>
      {props.kiosk && (
        <>
          <footer className="kiosk-foot">{t('kiosk.noData')}</footer>
          <KioskIdle onReset={kioskReset} path={path} />
        </>
      )}
    </SettingsContext.Provider>
  );
}
