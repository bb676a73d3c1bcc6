import { type UsageReporter, VerificationError } from '@tollgate/verifier';
import type { Peer, Transport } from '../transport/guarded-connection.js';
import type { ConnectRefusal } from './device-authenticator.js';

/** The URI scheme of each listener, standing in for the request path in a refusal's samples. */
const SCHEMES: Record<Transport, string> = { tcp: 'mqtt', tls: 'mqtts', websocket: 'ws', 'websocket-tls': 'wss' };

/**
 * Hands a CONNECT refused with a valid token (another device's, bound to another certificate,
 * granting nothing here) to the usage reporter, which adds refusals up per token and reason and
 * sends them to the auth-server's audit log as `token.use.denied`. Tokens that failed verification
 * name no credential and stay in the broker's log only, as at HTTP APIs.
 */
export function reportRefusal(usage: UsageReporter, refusal: ConnectRefusal, peer: Peer): void {
  if (!refusal.principal) return;
  usage.recordDenial({
    error: new VerificationError('invalid_token', refusal.message, refusal.reason),
    principal: refusal.principal,
    address: peer.remoteAddress,
    method: 'CONNECT',
    path: SCHEMES[peer.transport],
  });
}
