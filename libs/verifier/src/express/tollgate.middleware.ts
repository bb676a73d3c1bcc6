import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '../principal.js';
import { CredentialRequired, refusalAnswer, refusalBody } from '../http/bearer-challenge.js';
import { type HttpRequestLike, RequestAuthentication } from '../http/request-authentication.js';
import { type ResourceServerOptions, resolveResourceServerOptions } from '../http/resource-server-options.js';
import { VerificationError } from '../verification-error.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The authenticated caller, set by Tollgate's `requireCredential`. */
      principal?: Principal;
    }
  }
}

export interface TollgateExpress {
  /**
   * Middleware that lets a request through only with a valid Tollgate credential (M2M JWT, PAT or
   * API key) holding every one of `scopes`, and sets `req.principal`; otherwise answers the
   * RFC 6750 challenge with an RFC 9457 problem body.
   */
  requireCredential(...scopes: string[]): RequestHandler;
  /** Answers GET at the RFC 9728 well-known path with this resource's metadata; passes every other request on. */
  protectedResourceMetadata: RequestHandler;
}

/**
 * Protects an Express app with Tollgate: `app.use(tollgate.protectedResourceMetadata)`, then
 * `requireCredential(...)` per route. A token in a request body (RFC 6750 §2.2, not accepted) is
 * refused as `invalid_request` only when a body parser ran before the middleware; without one the
 * body is never read, and the request is answered as one without a credential.
 */
export function tollgateExpress(options: ResourceServerOptions): TollgateExpress {
  const resolved = resolveResourceServerOptions(options);
  const authentication = new RequestAuthentication(resolved.verifier, resolved.onDenied, resolved.senderConstraint);
  const usage = options.verification.usage;
  const resource = resolved.protectedResource;

  const requestOf = (req: Request): HttpRequestLike => ({
    ip: req.ip ?? req.socket.remoteAddress ?? '',
    method: req.method,
    url: req.originalUrl,
    protocol: req.protocol,
    host: req.get('host'),
    headers: req.headers,
    query: req.query,
    body: req.body,
  });

  return {
    requireCredential:
      (...scopes) =>
      (req: Request, res: Response, next: NextFunction) => {
        const request = requestOf(req);
        authentication.authenticate(request, scopes).then(
          ({ principal, headers }) => {
            res.set(headers);
            req.principal = principal;
            // PATs and API keys: their usage and "last used", with the status the route answered.
            if (usage) res.on('finish', () => usage.recordResponse(principal, res.statusCode, request.ip));
            next();
          },
          (error: unknown) => {
            if (!(error instanceof CredentialRequired || error instanceof VerificationError)) return next(error);
            const answer = refusalAnswer(error, {
              realm: resolved.realm,
              resourceMetadata: resource?.metadataUrl(req.protocol, req.get('host')),
            });
            res
              .status(answer.status)
              .set(answer.headers)
              .type('application/problem+json')
              .send(JSON.stringify(refusalBody(answer)));
          },
        );
      },

    protectedResourceMetadata: (req, res, next) => {
      if (!resource || req.path !== resource.metadataPath || (req.method !== 'GET' && req.method !== 'HEAD'))
        return next();
      res.set('Cache-Control', 'public, max-age=300').json(resource.metadata);
    },
  };
}
