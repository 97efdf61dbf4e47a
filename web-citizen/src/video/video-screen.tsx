import { connectMedia, type MediaConnection, MediaJoinError, type QualityReport, type RemoteTrack } from '@yichuang/sfu/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Icon } from '../components/icon.tsx';
import { ErrorBox, Loading, Screen } from '../components/ui.tsx';
import { useSettings } from '../i18n/index.tsx';
import { ApiError, api } from '../lib/api.ts';
import type { JoinInfo } from '../lib/contract-types.ts';
import { ticketToken } from '../lib/held.ts';
import { navigate } from '../lib/router.ts';

type Step = 'permission' | 'asking' | 'denied' | 'noDevice' | 'check' | 'joining' | 'call' | 'ended';
type Check = 'checking' | 'ok' | 'failed';

/**
 * The virtual window, in the page: camera and microphone permission (with help when refused), a check
 * before the call (camera picture, microphone level, network round trip), then the call with a network
 * quality badge; `room.rejoin` and short outages reconnect by themselves.
 */
export default function VideoScreen({ ticketId }: { ticketId: string }) {
  const { t } = useSettings();
  const token = ticketToken(ticketId);
  const [step, setStep] = useState<Step>('permission');
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [checks, setChecks] = useState<{ camera: Check; mic: Check; network: Check }>({ camera: 'checking', mic: 'checking', network: 'checking' });
  const [level, setLevel] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [quality, setQuality] = useState<QualityReport | null>(null);
  const [rejoining, setRejoining] = useState(false);
  const [remote, setRemote] = useState<RemoteTrack[]>([]);
  const media = useRef<MediaConnection | null>(null);
  const localVideo = useRef<HTMLVideoElement>(null);

  useEffect(() => {
    if (localVideo.current && stream) localVideo.current.srcObject = stream;
  }, [stream, step]);

  // Stop the camera when leaving the screen.
  useEffect(() => () => {
    media.current?.close();
    stream?.getTracks().forEach((tr) => tr.stop());
  }, [stream]);

  const askDevices = useCallback(async () => {
    setStep('asking');
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: { echoCancellation: true, noiseSuppression: true } });
      setStream(s);
      setStep('check');
    } catch (err) {
      const name = (err as { name?: string }).name;
      setStep(name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'NotReadableError' ? 'noDevice' : 'denied');
    }
  }, []);

  // Pre-call check: picture, sound level, and the network round trip to the server.
  useEffect(() => {
    if (step !== 'check' || !stream) return;
    let stop = false;
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    setChecks((c) => ({ ...c, camera: video && video.readyState === 'live' ? 'ok' : 'failed', mic: audio ? 'checking' : 'failed' }));
    let ctx: AudioContext | null = null;
    let raf = 0;
    if (audio) {
      try {
        ctx = new AudioContext();
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 512;
        ctx.createMediaStreamSource(stream).connect(analyser);
        const buf = new Uint8Array(analyser.fftSize);
        const tick = () => {
          analyser.getByteTimeDomainData(buf);
          let peak = 0;
          for (const v of buf) peak = Math.max(peak, Math.abs(v - 128));
          const l = Math.min(1, peak / 64);
          setLevel(l);
          // Rationale: any sound above the hiss floor proves the microphone works.
          if (l > 0.08) setChecks((c) => (c.mic === 'ok' ? c : { ...c, mic: 'ok' }));
          if (!stop) raf = requestAnimationFrame(tick);
        };
        tick();
      } catch {
        setChecks((c) => ({ ...c, mic: 'ok' }));
      }
    }
    const t0 = performance.now();
    fetch('/api/v1/health', { cache: 'no-store' })
      .then((r) => {
        // Rationale: beyond 1.5 s round trip a call stutters badly; say so before it starts.
        if (!stop) setChecks((c) => ({ ...c, network: r.ok && performance.now() - t0 < 1500 ? 'ok' : 'failed' }));
      })
      .catch(() => !stop && setChecks((c) => ({ ...c, network: 'failed' })));
    return () => {
      stop = true;
      cancelAnimationFrame(raf);
      void ctx?.close();
    };
  }, [step, stream]);

  const joinInfo = async (): Promise<JoinInfo> => {
    const tk = await api.ticket(ticketId, token!);
    if (tk.join && Date.parse(tk.join.expiresAt) > Date.now() + 5000) return tk.join;
    return api.ticketJoin(ticketId, token!);
  };

  const join = async () => {
    if (!stream) return;
    setStep('joining');
    setError(null);
    try {
      let info = await joinInfo();
      // Media may live on another node than the API (its own path, or its own origin): the join info says where.
      const connect = (join: JoinInfo) =>
        connectMedia({
          url: join.media.url ?? location.origin,
          path: join.media.path,
          token: join.token,
          ...(join.media.node ? { node: join.media.node } : {}),
          localStream: stream,
          onRemoteTrack: (tr) => setRemote((list) => [...list.filter((x) => x.consumerId !== tr.consumerId), tr]),
          onRemoteTrackEnded: (tr) => setRemote((list) => list.filter((x) => x.consumerId !== tr.consumerId)),
          onQuality: setQuality,
          onStateChange: (s) => setRejoining(s === 'rejoining' || s === 'connecting'),
          onClosed: () => setStep('ended'),
          // The media node died: a fresh join names a live one, and the call moves there without a reload.
          renewJoin: async ({ lostNode }) => {
            const fresh = await api.ticketJoin(ticketId, token!, lostNode);
            return { url: fresh.media.url ?? location.origin, path: fresh.media.path, token: fresh.token, ...(fresh.media.node ? { node: fresh.media.node } : {}) };
          },
        });
      try {
        media.current = await connect(info);
      } catch (err) {
        if (!(err instanceof MediaJoinError) || err.code !== 'TOKEN_EXPIRED') throw err;
        info = await api.ticketJoin(ticketId, token!);
        media.current = await connect(info);
      }
      setStep('call');
    } catch (err) {
      setError(err instanceof ApiError ? err.code : err instanceof MediaJoinError ? (err.code === 'ROOM_CLOSED' ? 'SESSION_ENDED' : 'UNAVAILABLE') : 'UNKNOWN');
      setStep('check');
    }
  };

  const leave = () => {
    media.current?.close();
    media.current = null;
    stream?.getTracks().forEach((tr) => tr.stop());
    setStep('ended');
  };

  if (!token) return <Screen title={t('video.title')}><ErrorBox>{t('ticket.notFound')}</ErrorBox></Screen>;

  const badge = (c: Check) => <span className={`check-badge ${c}`}>{c === 'ok' ? t('video.ok') : c === 'failed' ? t('video.failed') : t('video.checking')}</span>;
  const remoteVideo = remote.find((r) => r.kind === 'video' && r.source === 'screen') ?? remote.find((r) => r.kind === 'video');
  const remoteAudio = remote.filter((r) => r.kind === 'audio');

  return (
    <Screen title={t('video.title')} back={`/ticket/${ticketId}`}>
      {(step === 'permission' || step === 'asking') && (
        <div className="video-step">
          <p className="intro"><Icon name="video" /> {t('video.permission')}</p>
          {step === 'asking' ? <Loading /> : (
            <button type="button" className="big primary" onClick={askDevices}>
              <span className="big-label">{t('video.permissionAsk')}</span>
            </button>
          )}
        </div>
      )}
      {(step === 'denied' || step === 'noDevice') && (
        <div className="video-step">
          <ErrorBox onRetry={askDevices}>
            <strong>{step === 'denied' ? t('video.denied') : t('video.noDevice')}</strong>
            {step === 'denied' && <><br />{t('video.deniedHelp')}</>}
          </ErrorBox>
        </div>
      )}
      {(step === 'check' || step === 'joining') && (
        <div className="video-step">
          <h2 className="section-title">{t('video.check')}</h2>
          <video ref={localVideo} className="preview" autoPlay muted playsInline aria-label={t('video.you')} />
          <ul className="checks">
            <li>{t('video.checkCamera')} {badge(checks.camera)}</li>
            <li>
              {t('video.checkMic')} {badge(checks.mic)}
              <span className="meter" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)} aria-label={t('video.checkMic')}>
                <span style={{ width: `${Math.round(level * 100)}%` }} />
              </span>
              {checks.mic !== 'ok' && <small>{t('video.speak')}</small>}
            </li>
            <li>{t('video.checkNetwork')} {badge(checks.network)}</li>
          </ul>
          {error && <ErrorBox code={error} />}
          <button type="button" className="big primary" onClick={join} disabled={step === 'joining'} aria-busy={step === 'joining'}>
            <span className="big-label">{step === 'joining' ? t('video.joining') : t('video.join')}</span>
          </button>
        </div>
      )}
      {step === 'call' && (
        <div className="call">
          {quality && <span className={`quality q-${quality.level}`} role="status">{t(`video.quality.${quality.level}`)}</span>}
          {rejoining && <p className="reconnecting" role="status">{t('video.reconnecting')}</p>}
          <div className="stage">
            {remoteVideo ? <RemoteVideo track={remoteVideo} label={t('video.clerk')} /> : <p className="waiting-clerk" role="status">{t('video.waitingClerk')}</p>}
            <video ref={localVideo} className="self-view" autoPlay muted playsInline aria-label={t('video.you')} />
          </div>
          {remoteAudio.map((a) => <RemoteAudio key={a.consumerId} track={a} />)}
          <button type="button" className="big danger" onClick={leave}>
            <span className="big-label">{t('video.leave')}</span>
          </button>
        </div>
      )}
      {step === 'ended' && (
        <div className="video-step">
          <p className="done-big" role="status">{t('video.ended')}</p>
          <button type="button" className="big primary" onClick={() => navigate(`/ticket/${ticketId}`)}>
            <span className="big-label">{t('ticket.title')}</span>
          </button>
        </div>
      )}
    </Screen>
  );
}

function RemoteVideo({ track, label }: { track: RemoteTrack; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = track.stream;
  }, [track]);
  return <video ref={ref} className="remote" autoPlay playsInline aria-label={label} />;
}

function RemoteAudio({ track }: { track: RemoteTrack }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = track.stream;
  }, [track]);
  return <audio ref={ref} autoPlay />;
}
