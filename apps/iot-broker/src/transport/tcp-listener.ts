import type { Aedes } from 'aedes';
import type { Logger } from '@tollgate/platform';
import { createServer, type Server } from 'node:net';
import type { ConnectionAdmission } from '../hardening/connection-admission.js';
import { coalesceWrites } from './coalesced-writes.js';
import { guardLoggedConnection, type Peer } from './guarded-connection.js';

export interface ListenerOptions {
  aedes: Aedes;
  admission: ConnectionAdmission;
  maxPacketSize: number;
  maxConnections: number;
  logger: Logger;
}

/** MQTT over TCP: each admitted socket goes to aedes behind the packet-size guard. */
export function createTcpListener({
  aedes,
  admission,
  maxPacketSize,
  maxConnections,
  logger,
}: ListenerOptions): Server {
  const server = createServer({ noDelay: true }, (socket) => {
    const peer: Peer = { remoteAddress: socket.remoteAddress ?? 'unknown', transport: 'tcp' };
    if (!admission.admit(peer)) {
      socket.destroy();
      return;
    }
    aedes.handle(guardLoggedConnection(coalesceWrites(socket), { peer, maxPacketSize, logger }));
  });
  server.maxConnections = maxConnections;
  return server;
}
