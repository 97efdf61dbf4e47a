/** The waiting queue in calling order (earliest deadline first), coloured by deadline risk. */
import { Card, Empty, Segmented, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { Static } from 'typebox';
import type { QueueView, Service } from '@yichuang/server/contracts';
import { clockTime, deadlineRisk, minutesBetween } from '../../lib/format.ts';
import { useT } from '../../lib/i18n.ts';

type Queue = Static<typeof QueueView>;

export function QueueList({ queue, services, myServiceIds, now }: { queue: Queue | null; services: Map<string, Service>; myServiceIds: Set<string>; now: number }) {
  const t = useT();
  const [scope, setScope] = useState<'mine' | 'all'>('mine');
  const all = queue?.waiting ?? [];
  const mine = all.filter((e) => myServiceIds.has(e.serviceId));
  const shown = scope === 'mine' ? mine : all;
  const late = shown.filter((e) => deadlineRisk(e.issuedAt, e.dueAt, now) === 'late').length;

  return (
    <Card
      size="small"
      className="queue"
      title={
        <Space>
          <span>{t('clerk.queue')}</span>
          <Tag data-testid="queue-count">{shown.length}</Tag>
          {late > 0 && <Tag color="error">{t('clerk.lateCount', { n: late })}</Tag>}
        </Space>
      }
      extra={
        <Segmented
          size="small"
          value={scope}
          onChange={(v) => setScope(v as 'mine' | 'all')}
          options={[{ value: 'mine', label: t('clerk.queueMine', { n: mine.length }) }, { value: 'all', label: t('clerk.queueAll', { n: all.length }) }]}
        />
      }
    >
      {shown.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('clerk.queueEmpty')} />
      ) : (
        <ol className="queue__list" data-testid="queue-list">
          {shown.map((e, i) => {
            const risk = deadlineRisk(e.issuedAt, e.dueAt, now);
            const dueIn = Math.round((Date.parse(e.dueAt) - now) / 60_000);
            return (
              <li key={e.id} className={`queue__item queue__item--${risk} ${myServiceIds.has(e.serviceId) ? '' : 'queue__item--other'}`} data-number={e.number} data-risk={risk}>
                <span className="queue__pos">{i + 1}</span>
                <span className="queue__num">{e.number}</span>
                <span className="queue__svc">
                  {services.get(e.serviceId)?.name ?? '…'}
                  {e.priority !== 'normal' && <Tag color="magenta" style={{ marginLeft: 6 }}>{t(`ticket.priority.${e.priority}`)}</Tag>}
                  {e.channel === 'appointment' && <Tag color="cyan" style={{ marginLeft: 6 }}>{t('ticket.channel.appointment')}</Tag>}
                  {e.channel === 'transfer' && <Tag color="purple" style={{ marginLeft: 6 }}>{t('ticket.channel.transfer')}</Tag>}
                </span>
                <span className="queue__time">
                  <Typography.Text type="secondary">{t('clerk.waitedMin', { n: minutesBetween(Date.parse(e.issuedAt), now) })}</Typography.Text>
                  <br />
                  <span className={`queue__due queue__due--${risk}`}>
                    {risk === 'late' ? t('clerk.overdueMin', { n: -dueIn }) : t('clerk.dueAt', { time: clockTime(e.dueAt), n: dueIn })}
                  </span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      <div className="queue__legend">
        <span className="dot dot--ok" /> {t('risk.ok')} <span className="dot dot--soon" /> {t('risk.soon')} <span className="dot dot--late" /> {t('risk.late')}
      </div>
    </Card>
  );
}
