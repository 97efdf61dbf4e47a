/**
 * One site (or a district with everything below it): today by item, the last seven days, today's windows
 * and clerks, and the staffing plan for a chosen day.
 */
import { Alert, Button, Card, Col, Empty, Form, Input, InputNumber, Row, Select, Space, Table, Tabs, Tooltip, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { StaffingPlanView, StatsView } from '@yichuang/server/contracts';
import { api, isMissingEndpoint } from '../../lib/api.ts';
import { errorText } from '../../lib/errors.ts';
import { hallDate, percent } from '../../lib/format.ts';
import { useT } from '../../lib/i18n.ts';
import { EChart, type ChartOption } from './EChart.tsx';
import type { SiteRow } from './model.ts';

const DAY_MS = 86_400_000;
const pct = (r: number | null | undefined) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10);

export function SiteDetail({ row, stats, statsMissing }: { row: SiteRow; stats: StatsView | null; statsMissing: boolean }) {
  const t = useT();
  return (
    <Card size="small" className="ops__detail" title={t('ops.detail', { name: row.site.name })} data-testid="site-detail">
      <Tabs
        items={[
          { key: 'items', label: t('ops.tab.byItem'), children: <ByItem stats={stats} missing={statsMissing} /> },
          { key: 'hours', label: t('ops.tab.byHour'), children: <ByHour siteId={row.site.id} /> },
          { key: 'days', label: t('ops.tab.byDay'), children: <ByDay siteId={row.site.id} /> },
          { key: 'plan', label: t('ops.tab.staffing'), children: <Staffing siteId={row.site.id} openWindows={row.openWindows} /> },
          { key: 'windows', label: t('ops.tab.windows'), children: <Windows stats={stats} /> },
          { key: 'estimate', label: t('ops.tab.estimate'), children: <EstimateAccuracy siteId={row.site.id} today={stats} /> },
        ]}
      />
    </Card>
  );
}

function ByItem({ stats, missing }: { stats: StatsView | null; missing: boolean }) {
  const t = useT();
  const option = useMemo((): ChartOption | null => {
    if (!stats || stats.byService.length === 0) return null;
    const list = [...stats.byService].sort((a, b) => b.tickets - a.tickets);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: 72 },
      xAxis: { type: 'category', data: list.map((s) => s.name), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [{ type: 'value', name: t('ops.chart.tickets'), minInterval: 1 }, { type: 'value', name: '%', max: 100 }],
      series: [
        { name: t('ops.chart.tickets'), type: 'bar', data: list.map((s) => s.tickets), itemStyle: { color: '#5b8ff9' } },
        { name: t('ops.chart.served'), type: 'bar', data: list.map((s) => s.served), itemStyle: { color: '#61ddaa' } },
        { name: t('ops.col.calledOnTime'), type: 'line', yAxisIndex: 1, data: list.map((s) => pct(s.waitSlaMet)) },
        { name: t('ops.col.handledOnTime'), type: 'line', yAxisIndex: 1, data: list.map((s) => pct(s.handleSlaMet)) },
      ],
    };
  }, [stats, t]);
  if (missing) return <Empty description={t('ops.statsMissing')} />;
  if (!option) return <Empty description={t('ops.noData')} />;
  return <EChart option={option} height={320} testId="chart-by-item" />;
}

/**
 * How right the wait estimate given at issue was, from the site's real tickets: today (the dashboard's own
 * figures) and the last 7 days (one stats request over the range).
 */
function EstimateAccuracy({ siteId, today }: { siteId: string; today: StatsView | null }) {
  const t = useT();
  const [week, setWeek] = useState<StatsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const from = hallDate(Date.now() - 6 * DAY_MS);
    api<StatsView>('GET', `/sites/${siteId}/stats?from=${from}&to=${hallDate()}&includeChildren=true`).then(
      (s) => live && setWeek(s),
      (err: unknown) => live && setError(isMissingEndpoint(err) ? t('ops.statsMissing') : errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [siteId, t]);
  // At issue and at the updates a citizen saw later, for today and the week.
  const rows = [
    { key: 'today', period: t('ops.estimate.atIssue', { period: t('ops.estimate.today') }), e: today?.waitEstimate ?? null },
    { key: 'today-later', period: <Tooltip title={t('ops.estimate.laterHint')}>{t('ops.estimate.later', { period: t('ops.estimate.today') })}</Tooltip>, e: today?.waitEstimate.updates ?? null },
    { key: 'week', period: t('ops.estimate.atIssue', { period: t('ops.estimate.week') }), e: week?.waitEstimate ?? null },
    { key: 'week-later', period: <Tooltip title={t('ops.estimate.laterHint')}>{t('ops.estimate.later', { period: t('ops.estimate.week') })}</Tooltip>, e: week?.waitEstimate.updates ?? null },
  ];
  const minutes = (v: number | null | undefined) => (v == null ? '—' : v.toFixed(1));
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="estimate-accuracy">
      {error && <Alert type="error" showIcon title={error} />}
      <Table
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        columns={[
          { title: t('ops.estimate.period'), dataIndex: 'period' },
          { title: t('ops.estimate.tickets'), key: 'n', align: 'right', render: (_, r) => r.e?.count ?? '—' },
          { title: <Tooltip title={t('ops.estimate.shownHint')}>{t('ops.estimate.shown')}</Tooltip>, key: 'shown', align: 'right', render: (_, r) => r.e?.rangeShown ?? '—' },
          { title: t('ops.estimate.mae'), key: 'mae', align: 'right', render: (_, r) => minutes(r.e?.maeMin) },
          { title: <Tooltip title={t('ops.estimate.biasHint')}>{t('ops.estimate.bias')}</Tooltip>, key: 'bias', align: 'right', render: (_, r) => minutes(r.e?.biasMin) },
          {
            title: <Tooltip title={t('ops.estimate.inRangeHint')}>{t('ops.estimate.inRange')}</Tooltip>,
            key: 'in',
            align: 'right',
            render: (_, r) => <span data-testid={`estimate-in-range-${r.key}`}>{percent(r.e?.shareInRange)}</span>,
          },
        ]}
      />
      <Typography.Text type="secondary" data-testid="estimate-note">{t('ops.estimate.note')}</Typography.Text>
    </Space>
  );
}

function ByDay({ siteId }: { siteId: string }) {
  const t = useT();
  const [days, setDays] = useState<{ date: string; stats: StatsView }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setDays(null);
    const dates = Array.from({ length: 7 }, (_, i) => hallDate(Date.now() - (6 - i) * DAY_MS));
    Promise.all(dates.map((d) => api<StatsView>('GET', `/sites/${siteId}/stats?from=${d}&to=${d}&includeChildren=true`).then((stats) => ({ date: d, stats }))))
      .then((list) => live && setDays(list), (err: unknown) => live && setError(isMissingEndpoint(err) ? t('ops.statsMissing') : errorText(err)));
    return () => {
      live = false;
    };
  }, [siteId, t]);
  const option = useMemo((): ChartOption | null => {
    if (!days) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)) },
      yAxis: [{ type: 'value', name: t('ops.chart.tickets'), minInterval: 1 }, { type: 'value', name: '%', max: 100 }],
      series: [
        { name: t('ops.chart.tickets'), type: 'bar', data: days.map((d) => d.stats.tickets), itemStyle: { color: '#5b8ff9' } },
        { name: t('ops.chart.avgWait'), type: 'bar', data: days.map((d) => (d.stats.avgWaitMin === null ? null : Math.round(d.stats.avgWaitMin))), itemStyle: { color: '#f6bd16' } },
        { name: t('ops.col.calledOnTime'), type: 'line', yAxisIndex: 1, data: days.map((d) => pct(d.stats.waitSlaMet)) },
        { name: t('ops.col.handledOnTime'), type: 'line', yAxisIndex: 1, data: days.map((d) => pct(d.stats.handleSlaMet)) },
      ],
    };
  }, [days, t]);
  if (error) return <Empty description={error} />;
  if (!option) return <Typography.Text type="secondary">{t('ops.loading')}</Typography.Text>;
  return <EChart option={option} height={300} testId="chart-by-day" />;
}

/**
 * Arrivals and handling time by hour of day, averaged over the past weeks' same weekday: the planner's
 * history (GET /staffing-plan for today), which is what the statistics endpoint does not break down by hour.
 */
function ByHour({ siteId }: { siteId: string }) {
  const t = useT();
  const [plan, setPlan] = useState<StaffingPlanView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setPlan(null);
    setError(null);
    api<StaffingPlanView>('GET', `/sites/${siteId}/staffing-plan?date=${hallDate()}`).then(
      (p) => live && setPlan(p),
      (err: unknown) => live && setError(isMissingEndpoint(err) ? t('plan.missing') : errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [siteId, t]);
  const option = useMemo((): ChartOption | null => {
    if (!plan || plan.hours.length === 0) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 56, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: plan.hours.map((h) => `${String(h.hour).padStart(2, '0')}:00`) },
      yAxis: [{ type: 'value', name: t('ops.chart.arrivalsPerHour') }, { type: 'value', name: t('ops.chart.minutes') }],
      series: [
        { name: t('ops.chart.arrivalsPerHour'), type: 'bar', data: plan.hours.map((h) => Math.round(h.expectedArrivals * 10) / 10), itemStyle: { color: '#5b8ff9' } },
        { name: t('ops.col.meanHandle'), type: 'line', yAxisIndex: 1, data: plan.hours.map((h) => Math.round(h.meanHandleMin * 10) / 10) },
      ],
    };
  }, [plan, t]);
  if (error) return <Empty description={error} />;
  if (!plan) return <Typography.Text type="secondary">{t('ops.loading')}</Typography.Text>;
  if (!option) return <Empty description={t('plan.closed')} />;
  return (
    <>
      <Typography.Text type="secondary">{plan.basis.historyDays > 0 ? t('ops.byHourBasis', { days: plan.basis.historyDays }) : t('ops.byHourNoHistory')}</Typography.Text>
      <EChart option={option} height={280} testId="chart-by-hour" />
    </>
  );
}

interface PlanForm {
  date: string;
  serviceLevel: number;
  arrivalsPerHour?: number | null;
  meanHandleMin?: number | null;
  targetWaitMin?: number | null;
}

function Staffing({ siteId, openWindows }: { siteId: string; openWindows: number }) {
  const t = useT();
  const [query, setQuery] = useState<PlanForm>({ date: hallDate(Date.now() + DAY_MS), serviceLevel: 0.9 });
  const [plan, setPlan] = useState<StaffingPlanView | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'missing' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setState('loading');
    const params = new URLSearchParams({ date: query.date, serviceLevel: String(query.serviceLevel) });
    if (query.arrivalsPerHour) params.set('arrivalsPerHour', String(query.arrivalsPerHour));
    if (query.meanHandleMin) params.set('meanHandleMin', String(query.meanHandleMin));
    if (query.targetWaitMin) params.set('targetWaitMin', String(query.targetWaitMin));
    api<StaffingPlanView>('GET', `/sites/${siteId}/staffing-plan?${params}`).then(
      (p) => {
        if (!live) return;
        setPlan(p);
        setState('ready');
      },
      (err: unknown) => {
        if (!live) return;
        setState(isMissingEndpoint(err) ? 'missing' : 'error');
        setError(errorText(err));
      },
    );
    return () => {
      live = false;
    };
  }, [siteId, query]);

  const option = useMemo((): ChartOption | null => {
    if (!plan || plan.hours.length === 0) return null;
    const hours = plan.hours.map((h) => `${String(h.hour).padStart(2, '0')}:00`);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: hours },
      yAxis: [{ type: 'value', name: t('plan.windows'), minInterval: 1 }, { type: 'value', name: t('plan.arrivals') }],
      series: [
        { name: t('plan.windowsNeeded'), type: 'bar', data: plan.hours.map((h) => h.windowsNeeded), itemStyle: { color: '#5b8ff9' } },
        { name: t('plan.openNow'), type: 'line', data: plan.hours.map(() => openWindows), lineStyle: { type: 'dashed' }, symbol: 'none' },
        { name: t('plan.arrivals'), type: 'line', yAxisIndex: 1, data: plan.hours.map((h) => Math.round(h.expectedArrivals * 10) / 10) },
      ],
    };
  }, [plan, openWindows, t]);

  return (
    <div data-testid="staffing-plan">
      <Form<PlanForm> layout="inline" initialValues={query} onFinish={(v) => setQuery({ ...v, date: v.date || query.date })} style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item name="date" label={t('plan.date')}>
          <Input type="date" />
        </Form.Item>
        <Form.Item name="serviceLevel" label={t('plan.serviceLevel')}>
          <Select style={{ width: 100 }} options={[0.8, 0.85, 0.9, 0.95].map((v) => ({ value: v, label: `${v * 100}%` }))} />
        </Form.Item>
        <Form.Item name="arrivalsPerHour" label={t('plan.whatIfArrivals')}>
          <InputNumber min={0} max={2000} style={{ width: 90 }} />
        </Form.Item>
        <Form.Item name="meanHandleMin" label={t('plan.whatIfHandle')}>
          <InputNumber min={1} max={480} style={{ width: 80 }} />
        </Form.Item>
        <Form.Item name="targetWaitMin" label={t('plan.whatIfTarget')}>
          <InputNumber min={1} max={480} style={{ width: 80 }} />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit">{t('plan.compute')}</Button>
        </Form.Item>
      </Form>
      {state === 'missing' && <Alert type="info" showIcon title={t('plan.missing')} />}
      {state === 'error' && <Alert type="error" showIcon title={error} />}
      {state === 'loading' && <Typography.Text type="secondary">{t('ops.loading')}</Typography.Text>}
      {state === 'ready' && plan && (
        <Row gutter={16}>
          <Col xs={24} lg={14}>{option ? <EChart option={option} height={300} testId="chart-plan" /> : <Empty description={t('plan.closed')} />}</Col>
          <Col xs={24} lg={10}>
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Typography.Text type="secondary">
                {t('plan.basis', { days: plan.basis.historyDays, appts: plan.basis.appointments })}
                {plan.basis.whatIf ? ` · ${t('plan.whatIf')}` : ''}
              </Typography.Text>
              <Table
                size="small"
                rowKey="hour"
                pagination={false}
                dataSource={plan.hours}
                columns={[
                  { title: t('plan.hour'), dataIndex: 'hour', render: (h: number) => `${String(h).padStart(2, '0')}:00` },
                  { title: t('plan.arrivals'), dataIndex: 'expectedArrivals', align: 'right', render: (v: number) => v.toFixed(1) },
                  { title: t('plan.windowsNeeded'), dataIndex: 'windowsNeeded', align: 'right', render: (v: number) => <b>{v}</b> },
                  { title: t('plan.share'), dataIndex: 'expectedShareWithinTarget', align: 'right', render: (v: number) => percent(v) },
                  // The mean hides the risk of staffing at the stability floor; a bad day shows it.
                  {
                    title: <Tooltip title={t('plan.badDayHint')}>{t('plan.badDay')}</Tooltip>,
                    dataIndex: 'badDayShareWithinTarget',
                    align: 'right',
                    render: (v: number | null, h: StaffingPlanView['hours'][number]) =>
                      v === null ? '—' : <Typography.Text type={v < plan.serviceLevel ? 'danger' : undefined} data-testid={`bad-day-${h.hour}`}>{percent(v)}</Typography.Text>,
                  },
                  { title: t('plan.meanWait'), dataIndex: 'expectedMeanWaitMin', align: 'right', render: (v: number | null) => (v === null ? '—' : v.toFixed(1)) },
                ]}
              />
            </Space>
          </Col>
        </Row>
      )}
    </div>
  );
}

function Windows({ stats }: { stats: StatsView | null }) {
  const t = useT();
  if (!stats) return <Empty description={t('ops.noData')} />;
  return (
    <Row gutter={16}>
      <Col xs={24} lg={12}>
        <Table
          size="small"
          rowKey="windowId"
          pagination={false}
          dataSource={stats.byWindow}
          columns={[
            { title: t('ops.col.window'), key: 'w', render: (_: unknown, w: StatsView['byWindow'][number]) => `${w.number ?? ''} ${w.name}` },
            { title: t('ops.col.calls'), dataIndex: 'calls', align: 'right' },
            { title: t('ops.chart.served'), dataIndex: 'served', align: 'right' },
            { title: t('ops.col.meanHandle'), dataIndex: 'meanHandleMin', align: 'right', render: (v: number | null) => (v === null ? '—' : v.toFixed(1)) },
          ]}
        />
      </Col>
      <Col xs={24} lg={12}>
        <Table
          size="small"
          rowKey="staffId"
          pagination={false}
          dataSource={stats.clerks}
          columns={[
            { title: t('ops.col.clerk'), dataIndex: 'displayName' },
            { title: t('ops.col.calls'), dataIndex: 'calls', align: 'right' },
            { title: t('ops.chart.served'), dataIndex: 'served', align: 'right' },
            { title: t('ops.col.utilisation'), dataIndex: 'idleShare', align: 'right', render: (v: number | null) => (v === null ? '—' : percent(1 - v)) },
          ]}
        />
      </Col>
    </Row>
  );
}
