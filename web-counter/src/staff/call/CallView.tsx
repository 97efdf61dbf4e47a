/**
 * The call screen of video assistance, document first: a shared screen (or document camera) fills the
 * stage, faces sit small beside it. Camera, microphone and screen share can be switched during the call.
 */
import { Alert, Badge, Button, Result, Space, Spin, Tag, Tooltip } from 'antd';
import { useEffect, useRef, useState } from 'react';
import type { JoinInfo } from '@yichuang/server/contracts';
import { useT } from '../../lib/i18n.ts';
import { loadMediaClient, type ConnectionState, type MediaConnection, type QualityReport, type RemoteTrack } from './media.ts';

interface Tile {
  consumerId: string;
  peerId: string;
  source: RemoteTrack['source'];
  kind: RemoteTrack['kind'];
  stream: MediaStream;
}

function Video({ stream, muted, className, testId }: { stream: MediaStream; muted?: boolean; className?: string; testId?: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoPlay playsInline muted={muted ?? false} className={className} data-testid={testId} />;
}

function Audio({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <audio ref={ref} autoPlay />;
}

/** `?lostNode=` for a renewal that names the media node whose connection dropped (docs/media-nodes.md). */
export function lostNodeQuery(lostNode: string | undefined): string {
  return lostNode ? `?lostNode=${encodeURIComponent(lostNode)}` : '';
}

/**
 * `renew`: a fresh join from the API; when the media node drops (it died), the call moves to the node it names.
 * `lostNode` is the node that dropped, for the request's `?lostNode=` (lostNodeQuery), so a live one is named at once.
 */
export function CallView({ join, title, onLeave, renew, compact = false }: { join: JoinInfo; title: string; onLeave: (reason: string) => void; renew?: (lostNode?: string) => Promise<JoinInfo>; compact?: boolean }) {
  const t = useT();
  const [conn, setConn] = useState<MediaConnection | null>(null);
  const [state, setState] = useState<ConnectionState | 'unavailable' | 'failed'>('connecting');
  const [failure, setFailure] = useState<string | null>(null);
  const [tiles, setTiles] = useState<Tile[]>([]);
  const [mic, setMic] = useState(true);
  const [camera, setCamera] = useState(true);
  const [sharing, setSharing] = useState(false);
  const [quality, setQuality] = useState<QualityReport | null>(null);
  const [noDevices, setNoDevices] = useState(false);
  const leftRef = useRef(onLeave);
  leftRef.current = onLeave;
  const renewRef = useRef(renew);
  renewRef.current = renew;

  useEffect(() => {
    let disposed = false;
    let connected = false;
    let connection: MediaConnection | null = null;
    (async () => {
      let client: Awaited<ReturnType<typeof loadMediaClient>>;
      try {
        client = await loadMediaClient();
      } catch {
        setState('unavailable');
        return;
      }
      const common = {
        // Media may live on another node than the API (its own path, or its own origin): the join info says where.
        url: join.media.url ?? location.origin,
        path: join.media.path,
        token: join.token,
        ...(join.media.node ? { node: join.media.node } : {}),
        onRemoteTrack: (r: RemoteTrack) => setTiles((list) => [...list.filter((x) => x.consumerId !== r.consumerId), { consumerId: r.consumerId, peerId: r.peerId, source: r.source, kind: r.kind, stream: r.stream }]),
        onRemoteTrackEnded: (r: { consumerId: string }) => setTiles((list) => list.filter((x) => x.consumerId !== r.consumerId)),
        onQuality: setQuality,
        onStateChange: (s: ConnectionState) => !disposed && setState(s),
        ...(renewRef.current
          ? {
              renewJoin: async ({ lostNode }: { lostNode?: string }) => {
                const fresh = await (renewRef.current ?? (async () => join))(lostNode);
                return { url: fresh.media.url ?? location.origin, path: fresh.media.path, token: fresh.token, ...(fresh.media.node ? { node: fresh.media.node } : {}) };
              },
            }
          : {}),
        // Closing before the first join completed is a failure to join (reported below), not the end of the call.
        onClosed: (reason: string) => {
          if (!disposed && connected) leftRef.current(reason);
        },
      };
      try {
        try {
          connection = await client.connectMedia(common);
        } catch (err) {
          // No camera or microphone (or permission refused): still join, to see and hear the other side.
          if (err instanceof DOMException) {
            setNoDevices(true);
            connection = await client.connectMedia({ ...common, localStream: new MediaStream() });
          } else throw err;
        }
        connected = true;
        if (disposed) connection.close();
        else setConn(connection);
      } catch (err) {
        if (!disposed) {
          setState('failed');
          setFailure(err instanceof Error ? `${(err as { code?: string }).code ?? ''} ${err.message}` : String(err));
        }
      }
    })();
    return () => {
      disposed = true;
      connection?.close();
    };
  }, [join.token]);

  const shared = tiles.find((x) => x.kind === 'video' && (x.source === 'screen' || x.source === 'document'));
  const faces = tiles.filter((x) => x.kind === 'video' && x.source === 'camera');
  const audios = tiles.filter((x) => x.kind === 'audio');
  const stage = shared ?? faces[0];
  const small = shared ? faces : faces.slice(1);

  async function toggleShare() {
    if (!conn) return;
    try {
      if (sharing) await conn.stopScreenShare();
      else await conn.shareScreen();
      setSharing(!sharing);
    } catch {
      setSharing(false);
    }
  }

  if (state === 'unavailable') {
    return <Result status="warning" title={t('call.unavailable')} subTitle={t('call.unavailableHint')} extra={<Button onClick={() => onLeave('unavailable')}>{t('call.close')}</Button>} data-testid="call-unavailable" />;
  }
  if (state === 'failed') {
    return <Result status="error" title={t('call.failed')} subTitle={failure} extra={<Button onClick={() => onLeave('failed')}>{t('call.close')}</Button>} data-testid="call-failed" />;
  }

  return (
    <div className={`call ${compact ? 'call--compact' : ''}`} data-testid="call-view" data-state={state}>
      <div className="call__top">
        <Space>
          <strong>{title}</strong>
          <Badge status={state === 'joined' ? 'success' : state === 'closed' ? 'default' : 'processing'} text={t(`call.state.${state}`)} />
          {quality && (
            <Tooltip title={`${t('call.loss')} ${quality.lossPct.toFixed(1)}% · RTT ${quality.rttMs?.toFixed(0) ?? '—'} ms`}>
              <Tag color={quality.level === 'good' ? 'green' : quality.level === 'fair' ? 'gold' : 'red'}>{t(`call.quality.${quality.level}`)}</Tag>
            </Tooltip>
          )}
        </Space>
      </div>
      {noDevices && <Alert type="warning" showIcon title={t('call.noDevices')} style={{ marginBottom: 8 }} />}
      <div className="call__body">
        <div className="call__stage">
          {stage ? (
            <Video stream={stage.stream} className="call__stage-video" testId="call-stage" />
          ) : (
            <div className="call__waiting">{state === 'joined' ? t('call.waitingOther') : <Spin />}</div>
          )}
          {shared && <Tag className="call__stage-tag" color="blue">{t('call.sharedScreen')}</Tag>}
        </div>
        <div className="call__faces">
          {small.map((f) => (
            <Video key={f.consumerId} stream={f.stream} className="call__face" />
          ))}
          {conn && conn.localStream.getVideoTracks().length > 0 && <Video stream={conn.localStream} muted className="call__face call__face--self" testId="call-self" />}
        </div>
      </div>
      {audios.map((a) => (
        <Audio key={a.consumerId} stream={a.stream} />
      ))}
      <div className="call__controls">
        <Button onClick={() => void conn?.setMicEnabled(!mic).then(() => setMic(!mic))} disabled={!conn} data-testid="call-mic">
          {mic ? t('call.micOff') : t('call.micOn')}
        </Button>
        <Button onClick={() => void conn?.setCameraEnabled(!camera).then(() => setCamera(!camera))} disabled={!conn} data-testid="call-camera">
          {camera ? t('call.cameraOff') : t('call.cameraOn')}
        </Button>
        <Button onClick={() => void toggleShare()} disabled={!conn} type={sharing ? 'primary' : 'default'} data-testid="call-share">
          {sharing ? t('call.stopShare') : t('call.share')}
        </Button>
        <Button danger type="primary" onClick={() => onLeave('hangup')} data-testid="call-hangup">
          {t('call.hangup')}
        </Button>
      </div>
    </div>
  );
}
