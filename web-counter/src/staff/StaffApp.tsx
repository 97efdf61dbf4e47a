/**
 * The staff app: sign-in, then the areas the role may use — clerk console (窗口), expert console (远程帮办),
 * supervisor dashboard (运营). Each area is its own chunk (echarts loads only with the dashboard).
 */
import { App as AntApp, Button, ConfigProvider, Layout, Menu, Segmented, Space, Spin, Tag, Typography } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import type { Role } from '@yichuang/server/contracts';
import { api, setUnauthenticatedHandler } from '../lib/api.ts';
import { getLang, setLang, useT, type MessageKey } from '../lib/i18n.ts';
import { loadSession, saveSession, type Session } from '../lib/session.ts';
import { LoginPage } from './LoginPage.tsx';
import { TwoStepButton } from './TwoStepSettings.tsx';
import './staff.css';

const ClerkConsole = lazy(() => import('./clerk/ClerkConsole.tsx'));
const ExpertConsole = lazy(() => import('./expert/ExpertConsole.tsx'));
const Dashboard = lazy(() => import('./ops/Dashboard.tsx'));

export type Area = 'clerk' | 'expert' | 'ops';
const AREAS_BY_ROLE: Record<Role, Area[]> = {
  clerk: ['clerk'],
  expert: ['expert'],
  supervisor: ['ops'],
  admin: ['ops', 'clerk', 'expert'],
};
const AREA_LABEL: Record<Area, MessageKey> = { clerk: 'area.clerk', expert: 'area.expert', ops: 'area.ops' };

function areaFromPath(allowed: Area[]): Area {
  const seg = location.pathname.replace(/^\/counter\/?/, '').split('/')[0] as Area;
  return allowed.includes(seg) ? seg : (allowed[0] ?? 'clerk');
}

export default function StaffApp() {
  const t = useT();
  const lang = getLang();
  const [session, setSession] = useState<Session | null>(() => loadSession());

  const logout = useCallback(() => {
    void api('POST', '/auth/logout').catch(() => undefined);
    saveSession(null);
    setSession(null);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      saveSession(null);
      setSession(null);
    });
    return () => setUnauthenticatedHandler(null);
  }, []);

  useEffect(() => {
    document.title = t('app.title');
  }, [t, lang]);

  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={{ token: { colorPrimary: '#1f5fbf', borderRadius: 6 } }}>
      <AntApp>
        {session ? (
          <Shell session={session} onLogout={logout} />
        ) : (
          <LoginPage
            onLogin={(s) => {
              saveSession(s);
              setSession(s);
            }}
          />
        )}
      </AntApp>
    </ConfigProvider>
  );
}

function Shell({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const t = useT();
  const allowed = AREAS_BY_ROLE[session.user.role];
  const [area, setArea] = useState<Area>(() => areaFromPath(allowed));

  useEffect(() => {
    const want = `/counter/${area}`;
    if (location.pathname !== want) history.replaceState(null, '', want + location.search);
  }, [area]);

  const items = useMemo(() => allowed.map((a) => ({ key: a, label: t(AREA_LABEL[a]) })), [allowed, t]);

  return (
    <Layout className="staff">
      <Layout.Header className="staff__header">
        <div className="staff__brand">
          <span className="staff__logo">一窗</span>
          <span className="staff__brand-sub">{t('app.subtitle')}</span>
        </div>
        <Menu
          theme="dark"
          mode="horizontal"
          selectedKeys={[area]}
          items={items}
          onClick={(e) => setArea(e.key as Area)}
          className="staff__menu"
          data-testid="area-menu"
        />
        <Space className="staff__user" size="middle">
          <Segmented
            size="small"
            value={getLang()}
            options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]}
            onChange={(v) => setLang(v as 'zh-CN' | 'en')}
          />
          <span data-testid="staff-name">{session.user.displayName}</span>
          <Tag color="blue">{t(`role.${session.user.role}`)}</Tag>
          {(session.user.role === 'admin' || session.user.role === 'supervisor') && <TwoStepButton />}
          <Button size="small" onClick={onLogout} data-testid="logout">
            {t('auth.logout')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content className="staff__content">
        <Suspense fallback={<Spin size="large" className="staff__spin" />}>
          {area === 'clerk' && <ClerkConsole session={session} />}
          {area === 'expert' && <ExpertConsole session={session} />}
          {area === 'ops' && <Dashboard session={session} />}
        </Suspense>
      </Layout.Content>
      <Layout.Footer className="staff__footer">
        <Typography.Text type="secondary">{t('app.footer')}</Typography.Text>
      </Layout.Footer>
    </Layout>
  );
}
