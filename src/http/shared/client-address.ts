// The client address that failed authentication is counted against. The socket's peer, unless the
// peer is a trusted proxy (server.trustProxy): then the right-most X-Forwarded-For entry that is
// not itself a trusted proxy. Entries left of it are whatever the client sent and can be forged,
// so they are never believed; without trusted proxies the header is ignored altogether.
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export type ClientAddressOf = (request: IncomingMessage) => string | undefined;

export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressOf {
  const peer = (request: IncomingMessage) => normalize(request.socket.remoteAddress);
  if (trustedProxies.length === 0) return peer;
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string) => trusted.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return (request) => {
    let address = peer(request);
    if (address === undefined || !isTrusted(address)) return address;
    const header = request.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    // From the nearest hop outwards, while each hop was added by a proxy we trust.
    for (let index = hops.length - 1; index >= 0; index--) {
      const hop = normalize(hops[index]!.trim());
      if (!hop || isIP(hop) === 0) break;
      address = hop;
      if (!isTrusted(hop)) break;
    }
    return address;
  };
}

/** `::ffff:10.0.0.1` (an IPv4 client on a dual-stack socket) is 10.0.0.1. */
function normalize(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
