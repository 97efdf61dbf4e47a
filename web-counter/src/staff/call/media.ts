/**
 * The browser media client (`@yichuang/sfu/client`), loaded only when a call opens so the consoles do not
 * carry mediasoup-client until they need it.
 */
export type { MediaConnection, RemoteTrack, QualityReport, ConnectionState } from '@yichuang/sfu/client';

export async function loadMediaClient(): Promise<typeof import('@yichuang/sfu/client')> {
  return import('@yichuang/sfu/client');
}
