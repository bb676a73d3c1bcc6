import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from '@tollgate/platform';
import {
  type ConnectAttempt,
  ConnackCode,
  ConnectRefusal,
  type DeviceAuthenticator,
} from '../auth/device-authenticator.js';
import type { PublishBudgets } from '../hardening/publish-budget.js';
import type { BrokerMetrics } from '../observability/broker-metrics.js';
import type { BrokerTracing, ConnectTrace } from '../observability/broker-tracing.js';
import type { SlowSubscribers } from '../hardening/slow-subscribers.js';
import { attachSession, type DeviceSession, isActive, sessionOf } from '../sessions/device-session.js';
import { type Peer, peerOf } from '../transport/guarded-connection.js';

/** How aedes' `authenticate` hook answers. */
type Authenticated = (error: AuthenticateError | null, success: boolean | null) => void;

export type BrokerHooks = Required<
  Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
>;

export interface BrokerHooksOptions {
  authenticator: DeviceAuthenticator;
  /** Each connection's publish budget, applied once a publish is authorised. */
  publishBudgets: PublishBudgets;
  /** Bounds each client's QoS 0 backlog, from its first packet on. */
  slowSubscribers: SlowSubscribers;
  logger: Logger;
  /** Every refused CONNECT, after it is logged (e.g. to report refusals of valid tokens to the auth-server). */
  onRefused?: (refusal: ConnectRefusal, peer: Peer) => void;
  /** Counts accepted and refused CONNECTs, ACL denials and messages in and out. */
  metrics?: BrokerMetrics;
  /** A span per CONNECT and per refused publish or subscription; only while tracing is on. */
  tracing?: BrokerTracing;
  now?: () => number;
}

/**
 * The aedes hooks that make the broker a resource server: CONNECT is authenticated with an access
 * token (refused before aedes registers the client id, so a connected device is never taken over),
 * and every subscription, publish, will and delivery is checked against the session's scopes and
 * the token's expiry. Refusals are logged with their reason; nothing here throws.
 */
export function createBrokerHooks({
  authenticator,
  publishBudgets,
  slowSubscribers,
  logger,
  onRefused,
  metrics,
  tracing,
  now = Date.now,
}: BrokerHooksOptions): BrokerHooks {
  // aedes gives `authenticate` neither the raw client id nor the will: keep them from preConnect.
  const attempts = new WeakMap<Client, ConnectAttempt>();

  function open(client: Client, session: DeviceSession, callback: Authenticated, traced?: ConnectTrace): void {
    attachSession(client, session);
    metrics?.accepted();
    traced?.accepted(session);
    callback(null, true);
  }

  function refuse(error: unknown, attempt: ConnectAttempt, callback: Authenticated, traced?: ConnectTrace): void {
    const refusal =
      error instanceof ConnectRefusal
        ? error
        : new ConnectRefusal(
            ConnackCode.ServerUnavailable,
            'internal_error',
            'The broker could not check the credentials',
          );
    if (!(error instanceof ConnectRefusal)) logger.error({ err: error }, 'authentication failed unexpectedly');
    logger.warn(
      {
        clientId: printable(attempt.clientId),
        ...attempt.peer,
        returnCode: refusal.returnCode,
        reason: refusal.reason,
      },
      `connection refused: ${refusal.message}`,
    );
    metrics?.refused(refusal);
    traced?.refused(refusal);
    onRefused?.(refusal, attempt.peer);
    callback(authenticateError(refusal), false);
  }

  return {
    preConnect(client, packet, callback) {
      // Before aedes restores a persistent session's subscriptions, which keep the delivery function.
      slowSubscribers.watch(client);
      attempts.set(client, {
        clientId: packet.clientId ?? '',
        will: packet.will ? { topic: packet.will.topic, retain: Boolean(packet.will.retain) } : undefined,
        peer: peerOf(client.conn) ?? { remoteAddress: 'unknown', transport: 'tcp' },
      });
      callback(null, true);
    },

    authenticate(client, username, password, callback) {
      const attempt = attempts.get(client);
      attempts.delete(client);
      if (!attempt)
        return callback(
          authenticateError(new ConnectRefusal(ConnackCode.NotAuthorized, 'no_connect', 'CONNECT was not seen')),
          false,
        );
      attempt.username = username;
      attempt.password = password;
      // A device reconnecting with the token it used before is answered at once; any other waits for its verification.
      let remembered: DeviceSession | undefined;
      try {
        remembered = authenticator.authenticateRemembered(attempt);
      } catch (error) {
        return refuse(error, attempt, callback, tracing?.connect(attempt.peer));
      }
      if (remembered) return open(client, remembered, callback, tracing?.connect(attempt.peer));
      const traced = tracing?.connect(attempt.peer);
      (traced ? traced.within(() => authenticator.authenticate(attempt)) : authenticator.authenticate(attempt)).then(
        (session) => open(client, session, callback, traced),
        (error: unknown) => refuse(error, attempt, callback, traced),
      );
    },

    authorizePublish(client, packet, callback) {
      const session = sessionOf(client);
      // A null client is a will replayed for a broker that died: without its session we cannot vouch for it.
      if (!client || !session) {
        tracing?.refused('publish', 'no_session');
        return callback(new Error('publish refused: no authenticated session'));
      }
      if (!isActive(session, now())) {
        logger.info(
          { clientId: session.clientId, topic: printable(packet.topic), reason: session.endedBy ?? 'token_expired' },
          'publish refused: session ended',
        );
        tracing?.refused('publish', session.endedBy ?? 'token_expired');
        return callback(new Error('publish refused: session ended'));
      }
      if (!session.acl.mayPublish(packet.topic, { retain: Boolean(packet.retain) })) {
        logger.warn(
          { clientId: session.clientId, topic: printable(packet.topic), retain: Boolean(packet.retain) },
          'publish refused: topic not allowed',
        );
        metrics?.denied('publish');
        tracing?.refused('publish', 'topic_not_allowed');
        return callback(new Error('publish refused: topic not allowed'));
      }
      metrics?.published();
      publishBudgets.admit(client, session, payloadBytes(packet.payload), () => callback(null));
    },

    authorizeSubscribe(client, subscription, callback) {
      const session = sessionOf(client);
      if (!session || !isActive(session, now())) {
        tracing?.refused('subscribe', session ? (session.endedBy ?? 'token_expired') : 'no_session');
        return callback(new Error('subscribe refused: session ended'));
      }
      if (!session.acl.maySubscribe(subscription.topic)) {
        logger.warn(
          { clientId: session.clientId, filter: printable(subscription.topic) },
          'subscription refused: filter not allowed',
        );
        metrics?.denied('subscribe');
        tracing?.refused('subscribe', 'topic_not_allowed');
        // A null subscription is refused alone, with SUBACK 0x80 (MQTT 3.1.1 §3.9.3); the session goes on.
        return callback(null, null);
      }
      callback(null, subscription);
    },

    authorizeForward(client, packet) {
      const session = sessionOf(client);
      if (!session || !isActive(session, now()) || !session.acl.mayReceive(packet.topic)) {
        logger.debug({ clientId: session?.clientId, topic: printable(packet.topic) }, 'delivery withheld');
        return null;
      }
      metrics?.delivered();
      return packet;
    },
  };
}

function authenticateError(refusal: ConnectRefusal): AuthenticateError {
  return Object.assign(new Error(refusal.message), { returnCode: refusal.returnCode as number }) as AuthenticateError;
}

function payloadBytes(payload: Buffer | string): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
}

/** Client-supplied strings are logged bounded. */
function printable(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}…` : value;
}
