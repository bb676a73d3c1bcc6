import type { Logger } from '@tollgate/platform';
import { Duplex } from 'node:stream';
import { type FrameViolation, MqttFrameScanner } from '../hardening/mqtt-frame-scanner.js';

export type Transport = 'tcp' | 'websocket';

/** Who is on the other end of a connection, as the transport saw it. */
export interface Peer {
  remoteAddress: string;
  transport: Transport;
}

export interface GuardedConnectionOptions {
  maxPacketSize: number;
  peer: Peer;
  onViolation: (violation: FrameViolation) => void;
}

/**
 * The stream aedes is given for each client connection (a TCP socket or a WebSocket stream). Bytes
 * reach aedes only while every packet announces at most `maxPacketSize` bytes, its strings are
 * well-formed (MQTT 3.1.1 §1.5.3) and it keeps the protocol's rules (see `ProtocolRule`); otherwise
 * the connection is destroyed before aedes parses the packet. Writes go straight to the
 * connection. It also carries the peer's address, which aedes does not keep for TCP clients.
 */
export class GuardedConnection extends Duplex {
  readonly peer: Peer;
  private readonly scanner: MqttFrameScanner;

  constructor(
    private readonly connection: Duplex,
    options: GuardedConnectionOptions,
  ) {
    super({ allowHalfOpen: false });
    this.peer = options.peer;
    this.scanner = new MqttFrameScanner(options.maxPacketSize);
    connection.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      const violation = this.scanner.scan(chunk);
      if (violation) {
        options.onViolation(violation);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) connection.pause();
    });
    connection.on('end', () => this.push(null));
    connection.on('error', (error: Error) => this.destroy(error));
    connection.on('close', () => this.destroy());
    // Data flows only while aedes reads (see _read), so a busy broker applies backpressure to the peer.
    connection.pause();
  }

  override _read(): void {
    this.connection.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.connection.write(chunk)) callback();
    else this.connection.once('drain', () => callback());
  }

  /**
   * aedes writes a packet in several small chunks and corks the stream; passing them on as one
   * write keeps one syscall per packet batch (as a bare socket would), instead of one per chunk.
   */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this._write(
      chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map(({ chunk }) => chunk)),
      'utf8',
      callback,
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.connection.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.connection.destroy();
    callback(error);
  }
}

/** The peer of a stream aedes handles, when the stream is one of ours. */
export function peerOf(stream: unknown): Peer | undefined {
  return stream instanceof GuardedConnection ? stream.peer : undefined;
}

const VIOLATION_MESSAGES: Record<FrameViolation['reason'], string> = {
  packet_too_large: 'connection closed: packet over the size limit',
  malformed_length: 'connection closed: packet over the size limit',
  ill_formed_string: 'connection closed: a string is not well-formed UTF-8 or contains U+0000 (MQTT 3.1.1 §1.5.3)',
  protocol_violation: 'connection closed: MQTT protocol violation',
};

/** Puts a new client connection behind the guard, logging the peer when it oversteps. */
export function guardConnection(
  connection: Duplex,
  { peer, maxPacketSize, logger }: { peer: Peer; maxPacketSize: number; logger: Logger },
): GuardedConnection {
  return new GuardedConnection(connection, {
    maxPacketSize,
    peer,
    onViolation: (violation) => logger.warn({ ...peer, ...violation }, VIOLATION_MESSAGES[violation.reason]),
  });
}
