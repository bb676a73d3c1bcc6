import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { certificateThumbprint } from '@tollgate/credentials';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../../config/auth-server.config.js';

/**
 * RFC 8705 §3.1 `x5t#S256` of the client certificate presented on the TLS connection a request came
 * in on (only the mTLS endpoint asks for one); undefined for any other request.
 */
export function clientCertificateThumbprint(request: IncomingMessage): string | undefined {
  const socket = request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const raw = socket.getPeerCertificate()?.raw;
  return raw && raw.length > 0 ? certificateThumbprint(raw) : undefined;
}

/**
 * The mTLS endpoint (RFC 8705 §5): an HTTPS listener that asks every client for a certificate (any
 * certificate: it is what the token is bound to, not how the client authenticates) and hands the
 * requests to the same application, so `/oauth/token` there issues certificate-bound tokens.
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
