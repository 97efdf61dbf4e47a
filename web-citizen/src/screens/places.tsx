import { useEffect, useMemo, useState } from 'react';
import { Icon } from '../components/icon.tsx';
import { Empty, ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings, useT } from '../i18n/index.tsx';
import { api } from '../lib/api.ts';
import type { QueueChangedEvent, Service, SiteTreeNode } from '../lib/contract-types.ts';
import { loadServices, loadSites } from '../lib/data.ts';
import { flattenSites, type LatLng, nearbySites, rankBySoonest, type RankedOption } from '../lib/geo.ts';
import { emitAck, hallSocket } from '../lib/hall.ts';
import { navigate } from '../lib/router.ts';
import { searchServices } from '../lib/search.ts';
import { useAsync } from '../lib/use-async.ts';
import { ServiceFacts } from './service.tsx';

/** The site tree with waiting counts that follow `queue.changed` live. */
export function useLiveSites() {
  const state = useAsync(() => loadSites(true), []);
  const [live, setLive] = useState<Map<string, number>>(new Map());
  const all = useMemo(() => (state.data ? flattenSites(state.data) : []), [state.data]);

  useEffect(() => {
    if (all.length === 0) return;
    let stopped = false;
    const socket = hallSocket();
    /** Sites whose count came by an event since the last watch: events carry whole counts, fresher than a GET. */
    let evented = new Set<string>();
    const watchAll = () => {
      evented = new Set();
      const seen = evented;
      void Promise.allSettled(all.map((s) => emitAck(socket, 'site:watch', { siteId: s.id, countsInCalls: true })))
        // A change between the tree's load and the watch sent us no event: read the counts once more.
        .then(() => loadSites(true))
        .then((tree) => {
          if (stopped) return;
          const fresh = flattenSites(tree).filter((s) => !seen.has(s.id));
          setLive((m) => {
            const next = new Map(m);
            for (const s of fresh) next.set(s.id, s.waiting);
            return next;
          });
        })
        .catch(() => undefined);
    };
    // A call carries the counts after it (`countsInCalls`): both events bring whole counts.
    const onQueue = (e: Pick<QueueChangedEvent, 'siteId' | 'waiting'>) => {
      if (!e.waiting) return;
      evented.add(e.siteId);
      const total = Object.values(e.waiting).reduce((a, b) => a + b, 0);
      setLive((m) => new Map(m).set(e.siteId, total));
    };
    socket.on('connect', watchAll);
    socket.on('queue.changed', onQueue);
    socket.on('ticket.called', onQueue);
    if (socket.connected) watchAll();
    else socket.connect();
    return () => {
      stopped = true;
      socket.off('connect', watchAll);
      socket.off('queue.changed', onQueue);
      socket.off('ticket.called', onQueue);
    };
  }, [all]);

  const waitingOf = (s: SiteTreeNode) => live.get(s.id) ?? s.waiting;
  return { ...state, all, waitingOf };
}

type Tab = 'tree' | 'nearby' | 'search';

/** The position the citizen let us use, kept for this visit only (never stored). */
let lastHere: LatLng | null = null;

export function PlacesScreen({ serviceCode }: { serviceCode?: string }) {
  const t = useT();
  const sites = useLiveSites();
  const [tab, setTab] = useState<Tab>('tree');
  const [here, setHere] = useState<LatLng | null>(lastHere);
  const [geo, setGeo] = useState<'idle' | 'asking' | 'denied' | 'unsupported'>('idle');

  const locate = () => {
    if (!('geolocation' in navigator)) return setGeo('unsupported');
    setGeo('asking');
    navigator.geolocation.getCurrentPosition(
      (p) => {
        lastHere = { lat: p.coords.latitude, lng: p.coords.longitude };
        setHere(lastHere);
        setGeo('idle');
      },
      () => setGeo('denied'),
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 5 * 60_000 },
    );
  };

  if (serviceCode) {
    return (
      <Screen title={t('places.fastest')}>
        <Fastest serviceCode={serviceCode} sites={sites.all} waitingOf={sites.waitingOf} here={here} geo={geo} onLocate={locate} loading={sites.loading} error={sites.error} onRetry={sites.reload} />
      </Screen>
    );
  }

  const tabs: { id: Tab; label: string }[] = [
    { id: 'tree', label: t('places.tree') },
    { id: 'nearby', label: t('places.nearby') },
    { id: 'search', label: t('places.search') },
  ];
  return (
    <Screen title={t('places.title')}>
      <div className="tabs" role="tablist" aria-label={t('places.title')}>
        {tabs.map((x) => (
          <button key={x.id} type="button" role="tab" id={`tab-${x.id}`} aria-selected={tab === x.id} aria-controls={`panel-${x.id}`} className={tab === x.id ? 'on' : ''} onClick={() => setTab(x.id)}>
            {x.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {sites.loading && !sites.data ? (
          <Loading />
        ) : sites.error ? (
          <ErrorBox code={sites.error} onRetry={sites.reload} />
        ) : sites.all.length === 0 ? (
          <Empty>{t('places.empty')}</Empty>
        ) : tab === 'tree' ? (
          <ul className="tree" aria-label={t('places.tree')}>
            {sites.data!.map((n) => (
              <TreeNode key={n.id} node={n} depth={0} waitingOf={sites.waitingOf} />
            ))}
          </ul>
        ) : tab === 'nearby' ? (
          <NearbyList sites={sites.data!} waitingOf={sites.waitingOf} here={here} geo={geo} onLocate={locate} />
        ) : (
          <SearchPanel sites={sites.all} />
        )}
      </div>
    </Screen>
  );
}

function TreeNode({ node, depth, waitingOf }: { node: SiteTreeNode; depth: number; waitingOf: (s: SiteTreeNode) => number }) {
  const t = useT();
  const [open, setOpen] = useState(depth === 0);
  const has = node.children.length > 0;
  return (
    <li className={`tree-node level-${node.level}`}>
      <div className="site-row">
        {has ? (
          <button type="button" className="toggle" onClick={() => setOpen(!open)} aria-expanded={open} aria-controls={`sub-${node.id}`} aria-label={`${open ? t('places.collapse') : t('places.expand')}: ${node.name}`}>
            <span aria-hidden="true">{open ? '−' : '+'}</span>
          </button>
        ) : (
          <span className="toggle-space" aria-hidden="true" />
        )}
        <button type="button" className="site-link" onClick={() => navigate(`/site/${node.id}`)}>
          <span className="site-name">{node.name}</span>
          <span className="site-level">{t(`places.level.${node.level}`)}</span>
        </button>
        <WaitingBadge n={waitingOf(node)} />
      </div>
      {has && open && (
        <ul id={`sub-${node.id}`}>
          {node.children.map((c) => (
            <TreeNode key={c.id} node={c} depth={depth + 1} waitingOf={waitingOf} />
          ))}
        </ul>
      )}
    </li>
  );
}

export function WaitingBadge({ n }: { n: number }) {
  const t = useT();
  const level = n >= 20 ? 'busy' : n >= 8 ? 'some' : 'quiet';
  return (
    <span className={`badge wait-${level}`} aria-live="polite">
      {t('places.waiting', { n })}
    </span>
  );
}

function Distance({ km }: { km: number }) {
  const t = useT();
  return <span className="distance">{km < 1 ? t('common.m', { n: Math.round(km * 1000) }) : t('common.km', { n: km.toFixed(1) })}</span>;
}

function LocateAsk({ geo, onLocate }: { geo: 'idle' | 'asking' | 'denied' | 'unsupported'; onLocate: () => void }) {
  const t = useT();
  if (geo === 'asking') return <Loading label={t('places.locating')} />;
  return (
    <div className="locate">
      {geo === 'denied' ? <p role="alert">{t('places.nearbyDenied')}</p> : geo === 'unsupported' ? <p role="alert">{t('places.nearbyUnsupported')}</p> : <p>{t('places.nearbyAsk')}</p>}
      {geo !== 'unsupported' && (
        <button type="button" className="big primary" onClick={onLocate}>
          <span className="big-label"><Icon name="pin" /> {t('places.nearbyButton')}</span>
        </button>
      )}
    </div>
  );
}

function NearbyList({ sites, waitingOf, here, geo, onLocate }: { sites: SiteTreeNode[]; waitingOf: (s: SiteTreeNode) => number; here: LatLng | null; geo: 'idle' | 'asking' | 'denied' | 'unsupported'; onLocate: () => void }) {
  if (!here) return <LocateAsk geo={geo} onLocate={onLocate} />;
  const list = nearbySites(sites, here).slice(0, 12);
  return (
    <ul className="cards">
      {list.map(({ site, km }) => (
        <li key={site.id}>
          <button type="button" className="card" onClick={() => navigate(`/site/${site.id}`)}>
            <span className="card-title">{site.name}</span>
            <span className="card-meta">
              <Distance km={km} /> · <WaitingBadge n={waitingOf(site)} />
            </span>
            {site.address && <span className="card-sub">{site.address}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

interface ServiceHit {
  service: Service;
  siteIds: string[];
}

function SearchPanel({ sites }: { sites: SiteTreeNode[] }) {
  const t = useT();
  const [q, setQ] = useState('');
  const all = useAsync(async () => {
    const lists = await Promise.all(sites.map((s) => loadServices(s.id).catch(() => [] as Service[])));
    return lists.flat();
  }, [sites]);
  const hits = useMemo<ServiceHit[]>(() => {
    if (!all.data || !q.trim()) return [];
    const byCode = new Map<string, ServiceHit>();
    for (const s of searchServices(all.data, q)) {
      const hit = byCode.get(s.code);
      if (hit) hit.siteIds.push(s.siteId);
      else byCode.set(s.code, { service: s, siteIds: [s.siteId] });
    }
    return [...byCode.values()].slice(0, 20);
  }, [all.data, q]);
  const siteName = (id: string) => sites.find((s) => s.id === id)?.name ?? '';

  return (
    <div className="search">
      <label htmlFor="svc-search" className="search-label">{t('places.search')}</label>
      <input id="svc-search" type="search" inputMode="search" autoComplete="off" placeholder={t('places.searchPlaceholder')} value={q} onChange={(e) => setQ(e.target.value)} aria-describedby="svc-search-hint" />
      <p id="svc-search-hint" className="field-hint">{t('places.searchHint')}</p>
      {all.loading ? (
        <Loading />
      ) : all.error ? (
        <ErrorBox code={all.error} onRetry={all.reload} />
      ) : q.trim() && hits.length === 0 ? (
        <Empty>{t('places.searchEmpty', { q: q.trim() })}</Empty>
      ) : (
        <ul className="cards" aria-live="polite">
          {hits.map((h) => (
            <li key={h.service.code} className="card static">
              <span className="card-title">{h.service.name}</span>
              <ServiceFacts service={h.service} />
              <span className="card-sub">{h.siteIds.slice(0, 3).map(siteName).join('、')}{h.siteIds.length > 3 ? ' …' : ''}</span>
              <div className="card-actions">
                <button type="button" className="big primary small" onClick={() => navigate(`/places/${encodeURIComponent(h.service.code)}`)}>
                  <span className="big-label">{t('places.fastest')}</span>
                </button>
                {h.siteIds.length === 1 && (
                  <button type="button" className="big secondary small" onClick={() => navigate(`/site/${h.siteIds[0]}/service/${h.service.id}`)}>
                    <span className="big-label">{t('places.open')}</span>
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** For one item: every site that does it, ranked by travel + expected wait. */
function Fastest(props: { serviceCode: string; sites: SiteTreeNode[]; waitingOf: (s: SiteTreeNode) => number; here: LatLng | null; geo: 'idle' | 'asking' | 'denied' | 'unsupported'; onLocate: () => void; loading: boolean; error: string | null; onRetry: () => void }) {
  const { t } = useSettings();
  const { sites, here, waitingOf, serviceCode } = props;
  const options = useAsync(async () => {
    const found: { site: SiteTreeNode; service: Service; windows: number }[] = [];
    await Promise.all(
      sites.map(async (site) => {
        const svc = (await loadServices(site.id).catch(() => [] as Service[])).find((s) => s.code === serviceCode);
        if (!svc) return;
        const ws = await api.windows(site.id).catch(() => []);
        const serving = ws.filter((w) => w.serviceIds.includes(svc.id));
        const open = serving.filter((w) => w.status === 'open');
        found.push({ site, service: svc, windows: (open.length > 0 ? open : serving).length });
      }),
    );
    return found;
  }, [sites, serviceCode]);

  if (props.loading || options.loading) return <Loading />;
  if (props.error || options.error) return <ErrorBox code={props.error ?? options.error} onRetry={() => { props.onRetry(); options.reload(); }} />;
  const found = options.data ?? [];
  if (found.length === 0) return <Empty>{t('places.searchEmpty', { q: serviceCode })}</Empty>;
  const ranked: RankedOption[] = rankBySoonest(
    found.map((f) => ({
      siteId: f.site.id,
      km: here && f.site.location ? nearbySites([{ ...f.site, children: [] }], here)[0]?.km ?? null : null,
      waiting: waitingOf(f.site),
      handleMin: f.service.targetHandleMin,
      windows: f.windows,
    })),
  );
  const first = found[0]!.service;
  return (
    <div>
      <div className="card static">
        <span className="card-title">{first.name}</span>
        <ServiceFacts service={first} />
      </div>
      {!here && <LocateAsk geo={props.geo} onLocate={props.onLocate} />}
      <p className="field-hint">{t('places.fastestHint')}</p>
      <ol className="cards ranked">
        {ranked.map((r, i) => {
          const f = found.find((x) => x.site.id === r.siteId)!;
          return (
            <li key={r.siteId}>
              <button type="button" className={`card ${i === 0 ? 'best' : ''}`} onClick={() => navigate(`/site/${f.site.id}/service/${f.service.id}`)}>
                <span className="card-title">
                  {i === 0 && <span className="best-tag">{t('places.best')}</span>} {f.site.name}
                </span>
                <span className="card-meta">
                  {r.km !== null && <>{t('places.travel', { n: r.travelMin })} · </>}
                  {t('places.wait', { n: r.waitMin })}
                </span>
                <span className="card-total">{t('places.total', { n: r.totalMin })}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
