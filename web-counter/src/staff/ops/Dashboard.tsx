/**
 * Supervisor dashboard (运营): live figures per site and rolled up the site tree — waiting now, longest wait,
 * share called within target and handled within target today, open windows and utilisation, SLA-risk
 * alerts, ratings — with drill-down from the district to each site, charts, the staffing plan, and CSV export.
 */
import { Alert, App, Badge, Button, Card, Col, Empty, List, Row, Space, Spin, Statistic, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Static } from 'typebox';
import type { QueueView, SiteTreeNode, StatsView, Window } from '@yichuang/server/contracts';
import { api, isMissingEndpoint } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import { clockTime, downloadText, hallDate, percent, toCsv } from '../../lib/format.ts';
import { connectHall, request } from '../../lib/hall.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { fetchSiteIndex, flatten, scopeRoots } from '../sites.ts';
import { buildRows, EMPTY_LIVE, flattenRows, type SiteLive, type SiteRow } from './model.ts';
import { SiteDetail } from './SiteDetail.tsx';

type Queue = Static<typeof QueueView>;
interface AlertItem {
  key: string;
  siteId: string;
  number: string;
  dueAt: string;
  at: number;
  /** A case deadline rather than a ticket's wait target. */
  case?: { stage: 'reply' | 'resolve'; type: 'warned' | 'escalated' };
}

/** Rationale: windows and statistics change slowly; the socket covers what changes fast (the queue). */
const LIVE_REFRESH_MS = 30_000;
const STATS_REFRESH_MS = 60_000;

export default function Dashboard({ session }: { session: Session }) {
  const t = useT();
  const { message } = App.useApp();
  const [roots, setRoots] = useState<SiteTreeNode[] | null>(null);
  const [live, setLive] = useState<Map<string, SiteLive>>(new Map());
  const [stats, setStats] = useState<Map<string, StatsView>>(new Map());
  const [statsMissing, setStatsMissing] = useState(false);
  const [alerts, setAlerts] = useState<AlertItem[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const sites = useMemo(() => (roots ? flatten(roots) : []), [roots]);
  const siteName = useCallback((id: string) => sites.find((s) => s.id === id)?.name ?? id, [sites]);

  useEffect(() => {
    fetchSiteIndex().then(
      (index) => {
        const scope = scopeRoots(index, session.user);
        setRoots(scope);
        setSelected((s) => s ?? scope[0]?.id ?? null);
      },
      (err: unknown) => message.error(errorText(err)),
    );
  }, [session.user, message]);

  const patchLive = useCallback((siteId: string, patch: Partial<SiteLive>) => {
    setLive((m) => new Map(m).set(siteId, { ...(m.get(siteId) ?? EMPTY_LIVE), ...patch }));
  }, []);

  const loadSite = useCallback(async (siteId: string) => {
    try {
      const [queue, windows] = await Promise.all([api<Queue>('GET', `/sites/${siteId}/queue`), api<Window[]>('GET', `/sites/${siteId}/windows`)]);
      const t0 = Date.now();
      let oldest: number | null = null;
      let late = 0;
      for (const e of queue.waiting) {
        const issued = Date.parse(e.issuedAt);
        oldest = oldest === null ? issued : Math.min(oldest, issued);
        if (Date.parse(e.dueAt) < t0) late++;
      }
      patchLive(siteId, { waiting: queue.waiting.length, oldestIssuedAt: oldest, late, openWindows: windows.filter((w) => w.status === 'open').length, totalWindows: windows.length });
      setUpdatedAt(Date.now());
    } catch (err) {
      message.error(errorText(err));
    }
  }, [patchLive, message]);

  const loadStats = useCallback(async (siteId: string) => {
    const today = hallDate();
    try {
      const s = await api<StatsView>('GET', `/sites/${siteId}/stats?from=${today}&to=${today}&includeChildren=true`);
      setStats((m) => new Map(m).set(siteId, s));
    } catch (err) {
      if (isMissingEndpoint(err)) setStatsMissing(true);
    }
  }, []);

  /** Many events for one site in a burst become one reload. */
  const scheduleSite = useCallback((siteId: string) => {
    const prev = timers.current.get(siteId);
    if (prev) clearTimeout(prev);
    timers.current.set(siteId, setTimeout(() => {
      timers.current.delete(siteId);
      void loadSite(siteId);
    }, 400));
  }, [loadSite]);

  const refreshAll = useCallback(() => {
    for (const s of sites) {
      void loadSite(s.id);
      void loadStats(s.id);
    }
  }, [sites, loadSite, loadStats]);

  useEffect(() => {
    if (sites.length === 0) return;
    refreshAll();
    const a = setInterval(() => sites.forEach((s) => void loadSite(s.id)), LIVE_REFRESH_MS);
    const b = setInterval(() => sites.forEach((s) => void loadStats(s.id)), STATS_REFRESH_MS);
    const c = setInterval(() => setNow(Date.now()), 15_000);
    return () => {
      clearInterval(a);
      clearInterval(b);
      clearInterval(c);
    };
  }, [sites, refreshAll, loadSite, loadStats]);

  useEffect(() => {
    if (sites.length === 0) return;
    const ids = new Set(sites.map((s) => s.id));
    const socket = connectHall(session.token);
    socket.on('connect', () => {
      setConnected(true);
      void Promise.all(sites.map((s) => request((ack) => socket.emit('site:watch', { siteId: s.id, countsInCalls: true }, ack)))).then(
        // Anything missed while disconnected: reload.
        () => sites.forEach((s) => void loadSite(s.id)),
        () => undefined,
      );
    });
    socket.on('disconnect', () => setConnected(false));
    // A call carries the counts after it (`countsInCalls`), so both events update the waiting figure.
    const onCounts = (e: { siteId: string; waiting?: Record<string, number> }) => {
      if (!ids.has(e.siteId)) return;
      if (e.waiting) patchLive(e.siteId, { waiting: Object.values(e.waiting).reduce((a, b) => a + b, 0) });
      scheduleSite(e.siteId);
    };
    socket.on('queue.changed', onCounts);
    socket.on('ticket.called', onCounts);
    const addAlert = (alert: AlertItem) => {
      setAlerts((list) => (list.some((a) => a.key === alert.key) ? list : [alert, ...list].slice(0, 50)));
      setLive((m) => {
        const cur = m.get(alert.siteId) ?? EMPTY_LIVE;
        return new Map(m).set(alert.siteId, { ...cur, alerts: cur.alerts + 1 });
      });
    };
    socket.on('sla.atRisk', (e) => {
      if (ids.has(e.siteId)) addAlert({ key: e.ticketId, siteId: e.siteId, number: e.number, dueAt: e.dueAt, at: Date.now() });
    });
    socket.on('case.deadline', (e) => {
      if (!ids.has(e.siteId)) return;
      addAlert({ key: `${e.caseId}:${e.stage}:${e.type}`, siteId: e.siteId, number: e.number, dueAt: e.dueAt, at: Date.now(), case: { stage: e.stage, type: e.type } });
    });
    const pending = timers.current;
    return () => {
      socket.close();
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    };
  }, [sites, session.token, patchLive, scheduleSite, loadSite]);

  const rows = useMemo(() => (roots ? buildRows(roots, live, stats, now) : []), [roots, live, stats, now]);
  const flat = useMemo(() => flattenRows(rows), [rows]);
  const current = flat.find((r) => r.key === selected) ?? flat[0];

  function exportCsv() {
    const header = [t('ops.col.site'), t('ops.col.level'), t('ops.col.waiting'), t('ops.col.longest'), t('ops.col.late'), t('ops.col.calledOnTime'), t('ops.col.handledOnTime'), t('ops.col.openWindows'), t('ops.col.totalWindows'), t('ops.col.utilisation'), t('ops.col.tickets'), t('ops.col.served'), t('ops.col.ratingAvg'), t('ops.col.ratingCount'), t('ops.col.alerts')];
    const body = flat.map((r) => [
      `${'  '.repeat(r.depth)}${r.site.name}`, t(`site.level.${r.site.level}`), r.waiting, r.longestWaitMin ?? '', r.late,
      r.stats?.waitSlaMet != null ? Math.round(r.stats.waitSlaMet * 1000) / 10 : '', r.stats?.handleSlaMet != null ? Math.round(r.stats.handleSlaMet * 1000) / 10 : '',
      r.openWindows, r.totalWindows, r.utilisation !== null ? Math.round(r.utilisation * 1000) / 10 : '',
      r.stats?.tickets ?? '', r.stats?.served ?? '', r.stats?.ratings.avg != null ? r.stats.ratings.avg.toFixed(2) : '', r.stats?.ratings.count ?? '', r.alerts,
    ]);
    downloadText(`yichuang-ops-${hallDate()}.csv`, toCsv([header, ...body]));
  }

  const columns: ColumnsType<SiteRow> = [
    {
      title: t('ops.col.site'),
      key: 'site',
      render: (_, r) => (
        <Space size={4}>
          <a onClick={() => setSelected(r.key)} data-testid={`site-link-${r.site.code}`} style={{ whiteSpace: 'nowrap' }}>{r.site.name}</a>
          <Tag>{t(`site.level.${r.site.level}`)}</Tag>
        </Space>
      ),
    },
    { title: t('ops.col.waiting'), key: 'waiting', align: 'right', render: (_, r) => <b data-testid={`waiting-${r.site.code}`}>{r.waiting}</b> },
    { title: t('ops.col.longest'), key: 'longest', align: 'right', render: (_, r) => (r.longestWaitMin === null ? '—' : t('ops.minutes', { n: r.longestWaitMin })) },
    { title: t('ops.col.late'), key: 'late', align: 'right', render: (_, r) => (r.late > 0 ? <Tag color="error">{r.late}</Tag> : 0) },
    { title: <Tooltip title={t('ops.col.calledOnTimeHint')}>{t('ops.col.calledOnTime')}</Tooltip>, key: 'wsla', align: 'right', render: (_, r) => percent(r.stats?.waitSlaMet) },
    { title: <Tooltip title={t('ops.col.handledOnTimeHint')}>{t('ops.col.handledOnTime')}</Tooltip>, key: 'hsla', align: 'right', render: (_, r) => percent(r.stats?.handleSlaMet) },
    { title: t('ops.col.openWindows'), key: 'windows', align: 'right', render: (_, r) => `${r.openWindows}/${r.totalWindows}` },
    { title: <Tooltip title={t('ops.col.utilisationHint')}>{t('ops.col.utilisation')}</Tooltip>, key: 'util', align: 'right', render: (_, r) => percent(r.utilisation) },
    { title: t('ops.col.ratings'), key: 'ratings', align: 'right', render: (_, r) => (r.stats?.ratings.count ? `${r.stats.ratings.avg?.toFixed(1) ?? '—'}★ (${r.stats.ratings.count})` : '—') },
    { title: t('ops.col.alerts'), key: 'alerts', align: 'right', render: (_, r) => (r.alerts > 0 ? <Badge count={r.alerts} /> : 0) },
  ];

  if (!roots) return <Spin size="large" className="staff__spin" />;
  if (roots.length === 0) return <Empty description={t('ops.noSites')} />;

  return (
    <div className="ops" data-testid="dashboard">
      <div className="ops__bar">
        <Space>
          <Typography.Title level={4} style={{ margin: 0 }}>{t('ops.title')}</Typography.Title>
          <Badge status={connected ? 'success' : 'error'} text={connected ? t('ops.live') : t('status.offline')} />
          {updatedAt && <Typography.Text type="secondary">{t('ops.updatedAt', { time: clockTime(updatedAt, true) })}</Typography.Text>}
        </Space>
        <Space>
          <Button onClick={refreshAll}>{t('ops.refresh')}</Button>
          <Button type="primary" onClick={exportCsv} data-testid="export-csv">{t('ops.exportCsv')}</Button>
        </Space>
      </div>

      {statsMissing && <Alert type="info" showIcon title={t('ops.statsMissing')} style={{ marginBottom: 12 }} />}

      {current && <Kpis row={current} />}

      <Row gutter={16}>
        <Col xs={24} xl={18}>
          <Card size="small" title={t('ops.tree')}>
            <Table<SiteRow>
              size="small"
              rowKey="key"
              columns={columns}
              dataSource={rows}
              pagination={false}
              expandable={{ defaultExpandAllRows: true }}
              rowClassName={(r) => (r.key === current?.key ? 'ops__row--selected' : '')}
              data-testid="site-table"
              scroll={{ x: 'max-content' }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={6}>
          <Card size="small" title={<Space>{t('ops.alerts')}<Badge count={alerts.length} /></Space>} data-testid="alerts">
            {alerts.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('ops.noAlerts')} />
            ) : (
              <List
                size="small"
                dataSource={alerts}
                renderItem={(a) => (
                  <List.Item data-testid={a.case ? `case-alert-${a.number}` : undefined}>
                    <Space orientation="vertical" size={0}>
                      <span><Tag color={a.case?.type === 'warned' ? 'warning' : 'error'}>{a.number}</Tag>{siteName(a.siteId)}</span>
                      <Typography.Text type="secondary">
                        {!a.case
                          ? t('ops.alertDue', { time: clockTime(a.dueAt) })
                          : a.case.type === 'escalated'
                            ? t('ops.caseEscalated')
                            : t(a.case.stage === 'reply' ? 'ops.caseReplyBy' : 'ops.caseResolveBy', { time: clockTime(a.dueAt) })}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
        </Col>
      </Row>

      {current && <SiteDetail row={current} stats={current.stats} statsMissing={statsMissing} />}
    </div>
  );
}

function Kpis({ row }: { row: SiteRow }) {
  const t = useT();
  const s = row.stats;
  const items: { key: string; title: string; value: string | number; danger?: boolean; suffix?: ReactNode }[] = [
    { key: 'waiting', title: t('ops.col.waiting'), value: row.waiting },
    { key: 'longest', title: t('ops.col.longest'), value: row.longestWaitMin === null ? '—' : t('ops.minutes', { n: row.longestWaitMin }), danger: row.late > 0 },
    { key: 'wsla', title: t('ops.col.calledOnTime'), value: percent(s?.waitSlaMet) },
    { key: 'hsla', title: t('ops.col.handledOnTime'), value: percent(s?.handleSlaMet) },
    { key: 'windows', title: t('ops.col.openWindows'), value: `${row.openWindows}/${row.totalWindows}` },
    { key: 'util', title: t('ops.col.utilisation'), value: percent(row.utilisation) },
    { key: 'served', title: t('ops.col.servedToday'), value: s ? `${s.served}/${s.tickets}` : '—' },
    {
      key: 'ratings',
      title: t('ops.col.ratings'),
      value: s?.ratings.count ? `${s.ratings.avg?.toFixed(1) ?? '—'}★ · ${s.ratings.count}` : '—',
      // Poor ratings open follow-up cases: worth a supervisor's eye.
      ...(s && s.ratings.bad > 0 ? { suffix: <Tag color="error" style={{ marginLeft: 8 }}>{t('ops.col.badRatings', { n: s.ratings.bad })}</Tag> } : {}),
    },
  ];
  return (
    <Card size="small" className="ops__kpis" title={<Space>{row.site.name}<Tag>{t(`site.level.${row.site.level}`)}</Tag>{row.children && <Typography.Text type="secondary">{t('ops.rolledUp')}</Typography.Text>}</Space>} data-testid="kpis">
      <Row gutter={[16, 8]}>
        {items.map((i) => (
          <Col key={i.key} xs={12} md={6} xl={3}>
            <Statistic title={i.title} value={i.value} suffix={i.suffix} styles={{ content: { color: i.danger ? '#cf1322' : undefined } }} data-testid={`kpi-${i.key}`} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}
