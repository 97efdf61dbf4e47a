/**
 * The ticket at the window: what the clerk needs at a glance — number, item, priority, channel, the wait so
 * far against its target, handling time, appointment details — with personal data only in masked form.
 */
import { Alert, Card, Descriptions, Empty, Progress, Space, Tag, Tooltip, Typography, Button } from 'antd';
import { useEffect, useState } from 'react';
import type { Appointment, Service, Ticket } from '@yichuang/server/contracts';
import { api } from '../../lib/api.ts';
import { clockTime, minutesBetween } from '../../lib/format.ts';
import { useT } from '../../lib/i18n.ts';

const STATUS_COLOR: Record<Ticket['status'], string> = {
  waiting: 'default', called: 'processing', serving: 'blue', suspended: 'orange', done: 'success', noShow: 'error', cancelled: 'default', transferred: 'purple',
};

export function TicketCard({ ticket, service, now, lastOutcome }: { ticket: Ticket | null; service: Service | undefined; now: number; lastOutcome: string | null }) {
  const t = useT();
  const [appointment, setAppointment] = useState<Appointment | null>(null);

  useEffect(() => {
    setAppointment(null);
    if (!ticket?.appointmentId) return;
    let live = true;
    api<Appointment>('GET', `/appointments/${ticket.appointmentId}`).then((a) => live && setAppointment(a), () => undefined);
    return () => {
      live = false;
    };
  }, [ticket?.appointmentId]);

  if (!ticket) {
    return (
      <Card className="ticket ticket--empty" data-testid="current-ticket" data-status="none">
        <Empty description={t('clerk.noCurrent')} />
        {lastOutcome && <Alert type="info" showIcon title={lastOutcome} data-testid="last-outcome" />}
      </Card>
    );
  }

  const issued = Date.parse(ticket.issuedAt);
  const due = Date.parse(ticket.dueAt);
  const targetMin = Math.max(1, Math.round((due - issued) / 60_000));
  // Wait ends at the first call (a recall does not restart it).
  const waitedMin = minutesBetween(issued, ticket.calledAt ? Date.parse(ticket.calledAt) : now);
  const late = (ticket.calledAt ? Date.parse(ticket.calledAt) : now) > due;
  const handlingMin = ticket.startedAt ? minutesBetween(Date.parse(ticket.startedAt), ticket.finishedAt ? Date.parse(ticket.finishedAt) : now) : null;
  const handleTarget = service?.targetHandleMin ?? 20;
  const citizen = ticket.citizen;

  return (
    <Card className="ticket" data-testid="current-ticket" data-status={ticket.status} data-number={ticket.number}>
      <div className="ticket__head">
        <div className="ticket__number" data-testid="current-number">{ticket.number}</div>
        <div className="ticket__service">
          <Typography.Title level={3} style={{ margin: 0 }}>{service?.name ?? '…'}</Typography.Title>
          <Space size={4} wrap>
            <Tag color={STATUS_COLOR[ticket.status]} data-testid="current-status">{t(`ticket.status.${ticket.status}`)}</Tag>
            {ticket.priority !== 'normal' && <Tag color="magenta">{t(`ticket.priority.${ticket.priority}`)}</Tag>}
            <Tag>{t(`ticket.channel.${ticket.channel}`)}</Tag>
            {service && <Tag>{t(`service.complexity.${service.complexity}`)}</Tag>}
            {ticket.transferredFromId && <Tag color="purple">{t('clerk.transferredIn')}</Tag>}
          </Space>
        </div>
      </div>

      {lastOutcome && <Alert type="info" showIcon title={lastOutcome} style={{ marginBottom: 12 }} data-testid="last-outcome" />}

      <div className="ticket__gauges">
        <div>
          <Typography.Text type="secondary">{t('clerk.waitAgainstTarget')}</Typography.Text>
          <Progress percent={Math.min(100, Math.round((waitedMin / targetMin) * 100))} status={late ? 'exception' : 'normal'} format={() => t('clerk.minOfMin', { a: waitedMin, b: targetMin })} />
          {late && <Tag color="error">{t('clerk.overTarget')}</Tag>}
        </div>
        {handlingMin !== null && (
          <div>
            <Typography.Text type="secondary">{t('clerk.handleAgainstTarget')}</Typography.Text>
            <Progress percent={Math.min(100, Math.round((handlingMin / handleTarget) * 100))} status={handlingMin > handleTarget ? 'exception' : 'normal'} format={() => t('clerk.minOfMin', { a: handlingMin, b: handleTarget })} />
          </div>
        )}
      </div>

      <Descriptions
        size="small"
        column={2}
        items={[
          { key: 'issued', label: t('ticket.issuedAt'), children: clockTime(ticket.issuedAt) },
          { key: 'due', label: t('ticket.dueAt'), children: clockTime(ticket.dueAt) },
          { key: 'called', label: t('ticket.calledAt'), children: ticket.calledAt ? clockTime(ticket.calledAt) : '—' },
          { key: 'started', label: t('ticket.startedAt'), children: ticket.startedAt ? clockTime(ticket.startedAt) : '—' },
          ...(ticket.appointmentId
            ? [{
                key: 'appt',
                label: t('ticket.appointment'),
                span: 2,
                children: appointment
                  ? t('ticket.appointmentDetail', { code: appointment.code, from: clockTime(appointment.start), to: clockTime(appointment.end), kind: t(`appointment.kind.${appointment.kind}`), checkedIn: appointment.checkedInAt ? clockTime(appointment.checkedInAt) : '—' })
                  : t('ticket.appointmentBooked'),
              }]
            : []),
          ...(service?.materialsNote ? [{ key: 'materials', label: t('ticket.materials'), span: 2, children: service.materialsNote }] : []),
        ]}
      />

      <div className="ticket__citizen" data-testid="citizen">
        <Typography.Text type="secondary">{t('ticket.citizen')}</Typography.Text>
        {citizen && (citizen.name || citizen.idNumber || citizen.phone) ? (
          <Space size="large" wrap>
            <span>{t('ticket.citizenName')}: <b>{citizen.name ?? '—'}</b></span>
            <span>{t('ticket.citizenId')}: <b>{citizen.idNumber ?? '—'}</b></span>
            <span>{t('ticket.citizenPhone')}: <b>{citizen.phone ?? '—'}</b></span>
            {/* The API keeps only masked forms and offers no audit-logged reveal yet: the control says so. */}
            <Tooltip title={t('ticket.revealUnavailable')}>
              <Button size="small" disabled data-testid="reveal">{t('ticket.reveal')}</Button>
            </Tooltip>
          </Space>
        ) : (
          <Typography.Text> {t('ticket.noCitizen')}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
