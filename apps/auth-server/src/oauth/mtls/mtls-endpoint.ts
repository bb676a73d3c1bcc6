import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { certificateThumbprint } from '@tollgate/credentials';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../../config/auth-server.config.js';

/** The client certificate presented on the TLS connection a request came in on. */
export interface PresentedCertificate {
  /** RFC 8705 §3.1 `x5t#S256`: what a token issued on this connection is bound to. */
  thumbprint: string;
  der: Buffer;
  /**
   * Whether it chains to a CA in TLS_CLIENT_CA_FILE and is within its validity (checked in the
   * handshake); otherwise why not, in OpenSSL's words (e.g. CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT).
   */
  issuedByTrustedCa: boolean;
  notTrustedBecause?: string;
}

/**
 * The client certificate of the request's connection (only the mTLS endpoint asks for one);
 * undefined for any other. `caConfigured`: TLS_CLIENT_CA_FILE is set (without it, the handshake
 * would have checked the chain against node's public roots, which issue no client identities here).
 */
export function presentedCertificate(
  request: IncomingMessage,
  caConfigured: boolean,
): PresentedCertificate | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const der = socket.getPeerCertificate()?.raw;
  if (!der || der.length === 0) return undefined;
  const issuedByTrustedCa = caConfigured && socket.authorized === true;
  return {
    thumbprint: certificateThumbprint(der),
    der,
    issuedByTrustedCa,
    ...(!issuedByTrustedCa && {
      notTrustedBecause: caConfigured ? String(socket.authorizationError) : 'TLS_CLIENT_CA_FILE is not set',
    }),
  };
}

/**
 * The mTLS endpoint (RFC 8705 §5): an HTTPS listener that asks every client for a certificate and
 * hands the requests to the same application, so `/oauth/token` there issues certificate-bound
 * tokens. Any certificate is let through the handshake (a token may be bound to a self-signed one);
 * whether it chains to TLS_CLIENT_CA_FILE is noted for `tls_client_auth`, which requires it.
 */
@Injectable()
export class MtlsEndpoint implements OnModuleDestroy {
  private readonly logger = new Logger('MtlsEndpoint');
  private server?: Server;

  constructor(
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** Opens the listener, when MTLS_PORT is set; resolves with its port. */
  async listen(): Promise<number | undefined> {
    const mtls = this.config.mtls;
    if (!mtls) return undefined;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const server = createServer(
      {
        cert: mtls.certificatePem,
        key: mtls.privateKeyPem,
        ...(mtls.clientCaPem && { ca: mtls.clientCaPem }),
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (request, response) => fastify.routing(request, response),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Port ${mtls.port} is already in use. Set MTLS_PORT to a free port.`, { cause: error })
            : error,
        ),
      );
      server.listen(mtls.port, this.config.host, () => resolve());
    });
    this.server = server;
    this.logger.log(`mTLS token endpoint listening at ${mtls.url}/oauth/token`);
    return (server.address() as AddressInfo).port;
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
