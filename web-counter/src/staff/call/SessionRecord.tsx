/** The short record shown when an assistance session ends: who, when, how fast it was answered, how long. */
import { Button, Card, Descriptions, Tag } from 'antd';
import type { AssistSession } from '@yichuang/server/contracts';
import { clockTime } from '../../lib/format.ts';
import { useT } from '../../lib/i18n.ts';

export function SessionRecord({ session, siteName, onClose }: { session: AssistSession; siteName?: string; onClose: () => void }) {
  const t = useT();
  const started = session.acceptedAt ? Date.parse(session.acceptedAt) : null;
  const ended = session.endedAt ? Date.parse(session.endedAt) : null;
  const minutes = started && ended ? Math.max(0, Math.round((ended - started) / 60_000)) : null;
  const expert = session.participants.find((p) => p.kind === 'expert');
  const requester = session.participants.find((p) => p.kind === 'requester');
  return (
    <Card size="small" title={t('record.title')} extra={<Button size="small" onClick={onClose}>{t('call.close')}</Button>} className="record" data-testid="session-record">
      <Descriptions
        size="small"
        column={2}
        items={[
          ...(siteName ? [{ key: 'site', label: t('record.site'), children: siteName }] : []),
          { key: 'requester', label: t('record.requester'), children: requester?.displayName ?? '—' },
          { key: 'expert', label: t('record.expert'), children: expert?.displayName ?? '—' },
          { key: 'requested', label: t('record.requestedAt'), children: clockTime(session.requestedAt, true) },
          { key: 'answer', label: t('record.answerSeconds'), children: session.answerSeconds !== null ? <Tag color={session.answerSeconds <= 60 ? 'green' : 'red'}>{t('record.seconds', { n: Math.round(session.answerSeconds) })}</Tag> : '—' },
          { key: 'duration', label: t('record.duration'), children: minutes !== null ? t('record.minutes', { n: minutes }) : '—' },
          { key: 'outcome', label: t('record.outcome'), children: session.endReason ? t(`record.end.${session.endReason}`) : '—' },
          { key: 'recorded', label: t('record.recorded'), children: session.recorded ? t('record.yes', { n: session.recordings.length }) : t('record.no') },
          { key: 'reason', label: t('record.reason'), children: session.reason, span: 'filled' as const },
        ]}
      />
    </Card>
  );
}
