import { App, Button, Card, Empty, Select, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { Window } from '@yichuang/server/contracts';
import { api } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { fetchSiteIndex, flatten, type SiteIndex } from '../sites.ts';

export interface OpenedWindow {
  siteId: string;
  siteName: string;
  windowId: string;
  windowNumber: number;
  windowName: string;
  kind: Window['kind'];
}

export function WindowPicker({ session, onOpened }: { session: Session; onOpened: (w: OpenedWindow) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const [index, setIndex] = useState<SiteIndex | null>(null);
  const [siteId, setSiteId] = useState<string | null>(null);
  const [windows, setWindows] = useState<Window[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    fetchSiteIndex().then(setIndex, (err: unknown) => message.error(errorText(err)));
  }, [message]);

  // Only the clerk's own sites (an administrator may staff any).
  const sites = useMemo(() => {
    if (!index) return [];
    return session.user.role === 'admin' ? flatten(index.roots) : session.user.siteIds.map((id) => index.byId.get(id)).filter((s) => !!s);
  }, [index, session.user]);

  useEffect(() => {
    if (!siteId && sites[0]) setSiteId(sites[0].id);
  }, [sites, siteId]);

  useEffect(() => {
    if (!siteId) return;
    setWindows(null);
    api<Window[]>('GET', `/sites/${siteId}/windows`).then(setWindows, (err: unknown) => message.error(errorText(err)));
  }, [siteId, message]);

  async function open(w: Window) {
    setBusy(w.id);
    try {
      await api<Window>('POST', `/windows/${w.id}/open`);
      const site = index?.byId.get(w.siteId);
      onOpened({ siteId: w.siteId, siteName: site?.name ?? '', windowId: w.id, windowNumber: w.number, windowName: w.name, kind: w.kind });
    } catch (err) {
      message.error(errorText(err));
    } finally {
      setBusy(null);
    }
  }

  if (!index) return <Spin size="large" className="staff__spin" />;
  if (sites.length === 0) return <Empty description={t('clerk.noSites')} />;

  return (
    <div className="picker" data-testid="window-picker">
      <Space align="center" className="picker__head">
        <Typography.Title level={4} style={{ margin: 0 }}>{t('clerk.pickWindow')}</Typography.Title>
        {sites.length > 1 && (
          <Select style={{ minWidth: 280 }} value={siteId} onChange={setSiteId} options={sites.map((s) => ({ value: s.id, label: s.name }))} data-testid="picker-site" />
        )}
        {sites.length === 1 && <Tag color="geekblue">{sites[0]?.name}</Tag>}
      </Space>
      {!windows ? (
        <Spin />
      ) : (
        <div className="picker__grid">
          {windows.map((w) => {
            const mine = w.status === 'open' && w.clerkId === session.user.id;
            const taken = w.status === 'open' && !!w.clerkId && !mine;
            return (
              <Card key={w.id} className={`picker__card ${taken ? 'picker__card--taken' : ''}`} data-testid={`window-card-${w.number}`}>
                <div className="picker__num">{t('clerk.windowN', { n: w.number })}</div>
                <div className="picker__name">{w.name}</div>
                <Space size={4} wrap>
                  <Tag color={w.kind === 'virtual' ? 'purple' : 'default'}>{t(`window.kind.${w.kind}`)}</Tag>
                  <Tag color={w.status === 'open' ? 'green' : 'default'}>{t(mine ? 'window.mine' : taken ? 'window.taken' : `window.status.${w.status}`)}</Tag>
                  <Tag>{t('clerk.serviceCount', { n: w.serviceIds.length })}</Tag>
                </Space>
                <Button type="primary" block disabled={taken} loading={busy === w.id} onClick={() => void open(w)} style={{ marginTop: 12 }} data-testid={`open-window-${w.number}`}>
                  {mine ? t('clerk.enterWindow') : t('clerk.openWindow')}
                </Button>
              </Card>
            );
          })}
        </div>
      )}
    </div>
  );
}
