import type { Logger } from '@tollgate/platform';
import type { Duplex } from 'node:stream';
import { type FrameViolation, MqttFrameScanner } from '../hardening/mqtt-frame-scanner.js';

export type Transport = 'tcp' | 'tls' | 'websocket' | 'websocket-tls';

/** Who is on the other end of a connection, as the transport saw it. */
export interface Peer {
  remoteAddress: string;
  transport: Transport;
  /** Over TLS: RFC 8705 `x5t#S256` of the client certificate presented in the handshake. */
  certificateThumbprint?: string;
}

export interface ConnectionGuardOptions {
  maxPacketSize: number;
  peer: Peer;
  onViolation: (violation: FrameViolation) => void;
}

/** The peer of each connection handed to aedes, which does not keep the address of TCP clients. */
const peers = new WeakMap<object, Peer>();

/**
 * Guards a client connection (a TCP socket or a WebSocket stream) and returns it, to be handed to
 * aedes as it is. aedes takes bytes from its connection only with `read()` (on 'readable'); the
 * guard scans each chunk `read()` returns before aedes's parser sees it. Bytes reach aedes only
 * while every packet announces at most `maxPacketSize` bytes, its strings are well-formed (MQTT 3.1.1
 * §1.5.3) and it keeps the protocol's rules (see `ProtocolRule`); otherwise the connection is
 * destroyed and the read returns nothing, so no byte of the chunk that broke a rule is parsed.
 *
 * No stream is put between aedes and the connection: writes, corking and backpressure stay the
 * socket's own, and a session costs one scanner and one function more than plain aedes.
 */
export function guardConnection<Connection extends Duplex>(
  connection: Connection,
  { maxPacketSize, peer, onViolation }: ConnectionGuardOptions,
): Connection {
  const scanner = new MqttFrameScanner(maxPacketSize);
  const read = connection.read;
  connection.read = function guardedRead(this: Connection, size?: number) {
    const chunk: unknown = read.call(this, size);
    if (chunk === null || this.destroyed) return null;
    const violation = scanner.scan(chunk as Buffer);
    if (!violation) return chunk;
    onViolation(violation);
    this.destroy();
    return null;
  };
  peers.set(connection, peer);
  return connection;
}

/** The peer of a connection aedes handles, when it came through `guardConnection`. */
export function peerOf(connection: unknown): Peer | undefined {
  return typeof connection === 'object' && connection !== null ? peers.get(connection) : undefined;
}

const VIOLATION_MESSAGES: Record<FrameViolation['reason'], string> = {
  packet_too_large: 'connection closed: packet over the size limit',
  malformed_length: 'connection closed: packet over the size limit',
  ill_formed_string: 'connection closed: a string is not well-formed UTF-8 or contains U+0000 (MQTT 3.1.1 §1.5.3)',
  protocol_violation: 'connection closed: MQTT protocol violation',
};

/** Guards a new client connection (`guardConnection`), logging the peer when it oversteps. */
export function guardLoggedConnection<Connection extends Duplex>(
  connection: Connection,
  { peer, maxPacketSize, logger }: { peer: Peer; maxPacketSize: number; logger: Logger },
): Connection {
  return guardConnection(connection, {
    maxPacketSize,
    peer,
    onViolation: (violation) => logger.warn({ ...peer, ...violation }, VIOLATION_MESSAGES[violation.reason]),
  });
}
