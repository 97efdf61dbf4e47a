/**
 * The SDP that tells ffmpeg what arrives on a recording port (one RTP stream from a mediasoup PlainTransport),
 * and the container it is copied into without re-encoding.
 */

export interface RecordedCodec {
  payloadType: number;
  /** e.g. `video/VP8`, `audio/opus`. */
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, unknown>;
}

export function recordingSdp(input: { kind: 'audio' | 'video'; ip: string; rtpPort: number; rtcpPort: number; codec: RecordedCodec }): string {
  const { kind, ip, rtpPort, rtcpPort, codec } = input;
  const name = codec.mimeType.split('/')[1] ?? codec.mimeType;
  const channels = kind === 'audio' && codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
  const fmtp = Object.entries(codec.parameters ?? {})
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    `o=- 0 0 IN IP4 ${ip}`,
    's=yichuang-recording',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=${kind} ${rtpPort} RTP/AVP ${codec.payloadType}`,
    `a=rtcp:${rtcpPort}`,
    `a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

/** WebM for the codecs it holds (VP8, VP9, Opus: what browsers send), Matroska for the rest (H264). */
export function containerFor(mimeType: string): 'webm' | 'mkv' {
  const m = mimeType.toLowerCase();
  return m === 'video/vp8' || m === 'video/vp9' || m === 'audio/opus' ? 'webm' : 'mkv';
}
