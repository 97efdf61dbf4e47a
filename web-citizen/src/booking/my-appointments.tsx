import { Empty } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { heldAppointments } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';
import { whenText } from './dates.ts';

export default function MyAppointments() {
  const { t, lang } = useSettings();
  const list = heldAppointments();
  if (list.length === 0) return <Empty>{t('book.none')}</Empty>;
  return (
    <ul className="cards">
      {list.map((a) => (
        <li key={a.id}>
          <button type="button" className={`card ${a.status === 'booked' ? '' : 'muted'}`} onClick={() => navigate(`/appointment/${a.id}`)}>
            <span className="card-title">
              <span className="mini-number">{a.code}</span> {a.serviceName ?? ''}
            </span>
            <span className="card-meta">{whenText(a.start, a.end, lang)} · {t(`book.kind.${a.kind as 'hall'}`)}</span>
            <span className="card-sub">{t(`book.status.${a.status as 'booked'}`)}{a.siteName && <> · {a.siteName}</>}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
