import type { Aedes } from 'aedes';
import type { Logger } from '@tollgate/platform';
import type { EventEmitter } from 'node:events';
import type { BrokerSessions } from '../sessions/broker-sessions.js';
import { sessionOf } from '../sessions/device-session.js';
import { peerOf } from '../transport/guarded-connection.js';

/**
 * Tracks sessions as aedes registers and drops clients, and logs connects, disconnects and client
 * errors. Errors stay per client: aedes closes the client, the broker goes on.
 */
export function observeBroker(aedes: Aedes, sessions: BrokerSessions, logger: Logger): void {
  aedes.on('client', (client) => sessions.track(client));

  // Connects and disconnects are the broker's hottest events: their log fields are built only
  // when the line will be written.
  aedes.on('clientReady', (client) => {
    if (!logger.isLevelEnabled('info')) return;
    const session = sessionOf(client);
    logger.info(
      {
        clientId: client.id,
        oauthClientId: session?.principal.clientId,
        ...session?.peer,
        scopes: session ? [...session.principal.scopes] : [],
        expiresAt: session?.principal.expiresAt?.toISOString(),
        cleanSession: client.clean,
      },
      'device connected',
    );
  });

  aedes.on('clientDisconnect', (client) => {
    sessions.untrack(client);
    if (!logger.isLevelEnabled('info')) return;
    logger.info(
      { clientId: client.id, reason: sessionOf(client)?.endedBy ?? 'connection closed' },
      'device disconnected',
    );
  });

  aedes.on('clientError', (client, error) => {
    logger.warn({ clientId: client.id, error: error.message }, 'client error; connection closed');
  });

  aedes.on('connectionError', (client, error) => {
    logger.info({ ...peerOf(client.conn), error: error.message }, 'connection error before CONNECT completed');
  });

  aedes.on('keepaliveTimeout', (client) => {
    logger.info({ clientId: client.id }, 'keepalive timeout');
  });

  // Persistence and emitter failures surface here; an 'error' event without a listener would throw.
  const emitter: EventEmitter = aedes;
  emitter.on('error', (error: Error) => {
    logger.error({ err: error }, 'broker error');
  });
}
