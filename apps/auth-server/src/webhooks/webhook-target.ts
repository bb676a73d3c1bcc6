import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a webhook is never sent to unless the operator allows private networks
 * (WEBHOOK_ALLOW_PRIVATE_NETWORKS): an admin sets webhook URLs at runtime, and a URL that resolves to
 * the loopback, a private range or the cloud metadata address would make the auth-server a proxy
 * into its own network (SSRF).
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 of any IPv4 address, private ones included
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

/** Whether a webhook may be sent to this address (an IPv4-mapped IPv6 address is judged as IPv4). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  return !BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class WebhookTargetRefused extends Error {
  override name = 'WebhookTargetRefused';
}

/**
 * What a webhook URL must be when it is registered: absolute http(s), no credentials in it, and,
 * unless private networks are allowed, not a private address written as an IP literal (names are
 * checked when they are resolved, at every delivery).
 */
export function checkWebhookUrl(url: string, allowPrivateNetworks: boolean): URL {
  if (!URL.canParse(url)) throw new WebhookTargetRefused('url must be an absolute URL');
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new WebhookTargetRefused('url must be http or https');
  if (parsed.username || parsed.password)
    throw new WebhookTargetRefused('url must not carry credentials (sign with the webhook secret instead)');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (
    !allowPrivateNetworks &&
    (isIP(host) ? !isPublicAddress(host) : host === 'localhost' || host.endsWith('.localhost'))
  )
    throw new WebhookTargetRefused(
      'url points to a loopback, private or link-local address (allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS)',
    );
  return parsed;
}

/**
 * A DNS lookup for node:http(s) that refuses private addresses: the name is resolved once, checked,
 * and the connection goes to the address checked, so a name that resolves differently a moment
 * later (DNS rebinding) cannot slip past.
 */
export function guardedLookup(allowPrivateNetworks: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const allowed = allowPrivateNetworks ? addresses : addresses.filter(({ address }) => isPublicAddress(address));
      if (allowed.length === 0)
        return callback(
          Object.assign(new WebhookTargetRefused(`${hostname} resolves to a private address`), { code: 'EPRIVATE' }),
          '',
          0,
        );
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0].address, allowed[0].family);
    });
  };
}
