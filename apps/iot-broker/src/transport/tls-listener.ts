import { certificateThumbprint as x509Thumbprint } from '@tollgate/credentials';
import type { Socket } from 'node:net';
import { createServer, type Server, type TlsOptions, type TLSSocket } from 'node:tls';
import type { ListenerOptions } from './tcp-listener.js';
import { coalesceWrites } from './coalesced-writes.js';
import { guardLoggedConnection, type Peer } from './guarded-connection.js';

export interface TlsSettings {
  certificatePem: string;
  privateKeyPem: string;
  /** CA certificates client certificates must chain to; without them a client certificate is taken as it is. */
  clientCaPem?: string;
  /** `required`: no connection without a client certificate issued by `clientCaPem` (refused in the TLS handshake). */
  clientCertificate: 'optional' | 'required';
}

/** The TLS server options of both TLS listeners (mqtts and wss): the same certificate and client-certificate policy. */
export function tlsServerOptions(tls: TlsSettings): TlsOptions {
  return {
    cert: tls.certificatePem,
    key: tls.privateKeyPem,
    ...(tls.clientCaPem && { ca: tls.clientCaPem }),
    requestCert: true,
    rejectUnauthorized: tls.clientCertificate === 'required',
    minVersion: 'TLSv1.2',
  };
}

/**
 * Admits each connection (per-address rate) before its TLS handshake, which is the expensive part
 * (about 2 ms of CPU with a client certificate): an address past its rate gets no TLS work at all.
 * Handshakes refused (no certificate where one is required, an expired or untrusted one) are logged.
 */
export function guardTlsServer(
  server: Server,
  { admission, logger }: Pick<ListenerOptions, 'admission' | 'logger'>,
): void {
  server.on('connection', (socket: Socket) => {
    if (!admission.admit({ remoteAddress: socket.remoteAddress ?? 'unknown', transport: 'tls' })) socket.destroy();
  });
  server.on('tlsClientError', (error, socket) => {
    logger.info({ remoteAddress: socket.remoteAddress, reason: error.message }, 'TLS handshake refused');
  });
}

/** RFC 8705 §3.1 `x5t#S256` of the certificate a client presented on this connection, if any. */
export function certificateThumbprint(socket: TLSSocket): string | undefined {
  const raw = socket.getPeerCertificate()?.raw;
  return raw && raw.length > 0 ? x509Thumbprint(raw) : undefined;
}

/**
 * MQTT over TLS (mqtts): like the TCP listener, after the handshake; the client's certificate (when
 * it sent one) is the peer's, so a certificate-bound token (RFC 8705) is checked against it.
 */
export function createTlsListener(
  { aedes, admission, maxPacketSize, maxConnections, logger }: ListenerOptions,
  tls: TlsSettings,
): Server {
  const server = createServer(tlsServerOptions(tls), (socket) => {
    const peer: Peer = {
      remoteAddress: socket.remoteAddress ?? 'unknown',
      transport: 'tls',
      certificateThumbprint: certificateThumbprint(socket),
    };
    aedes.handle(guardLoggedConnection(coalesceWrites(socket), { peer, maxPacketSize, logger }));
  });
  guardTlsServer(server, { admission, logger });
  server.maxConnections = maxConnections;
  return server;
}
