/**
 * The client's address for a raw Node request (a socket.io handshake, which Fastify's `request.ip` never sees),
 * under the same TRUST_PROXY rule Fastify applies to HTTP: walk X-Forwarded-For from the nearest hop and stop
 * at the first address that is not a trusted proxy. Per-address socket limits must use this, or a client
 * writing its own X-Forwarded-For escapes them as it once escaped the HTTP limits.
 */
import { BlockList, isIPv4 } from 'node:net';
import type { TrustProxy } from '../config.ts';

function plain(address: string): string {
  // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

export function createClientAddress(trust: TrustProxy): (remoteAddress: string | undefined, forwardedFor: string | string[] | undefined) => string {
  let trusted: BlockList | null = null;
  if (typeof trust === 'object') {
    trusted = new BlockList();
    for (const entry of trust) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const family = isIPv4(address) ? 'ipv4' : 'ipv6';
      if (bits === undefined) trusted.addAddress(address, family);
      else trusted.addSubnet(address, Number(bits), family);
    }
  }
  const isTrusted = (address: string) => trusted !== null && trusted.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
  return (remoteAddress, forwardedFor) => {
    const remote = plain(remoteAddress ?? '');
    if (trust === false) return remote;
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor ?? '';
    // Nearest first: the socket's peer, then the header from its right end.
    const chain = [remote, ...header.split(',').map((s) => plain(s.trim())).filter(Boolean).reverse()];
    if (typeof trust === 'number') return chain[Math.min(trust, chain.length - 1)] as string;
    let i = 0;
    while (i < chain.length - 1 && isTrusted(chain[i] as string)) i++;
    return chain[i] as string;
  };
}
