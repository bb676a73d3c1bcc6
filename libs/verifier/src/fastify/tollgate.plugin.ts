import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Principal } from '../principal.js';
import { CredentialRequired, refusalAnswer, refusalBody } from '../http/bearer-challenge.js';
import { RequestAuthentication } from '../http/request-authentication.js';
import { type ResourceServerOptions, resolveResourceServerOptions } from '../http/resource-server-options.js';
import { countResponses } from '../usage/count-responses.js';
import { VerificationError } from '../verification-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, set by Tollgate's `requireCredential`. */
    principal?: Principal;
  }
  interface FastifyInstance {
    tollgate: {
      /**
       * A preHandler that lets a request through only with a valid Tollgate credential (M2M JWT,
       * PAT or API key) holding every one of `scopes`, and sets `request.principal`; otherwise
       * answers the RFC 6750 challenge with an RFC 9457 problem body.
       */
      requireCredential(...scopes: string[]): preHandlerAsyncHookHandler;
    };
  }
}

async function tollgate(fastify: FastifyInstance, options: ResourceServerOptions): Promise<void> {
  const resolved = resolveResourceServerOptions(options);
  const authentication = new RequestAuthentication(resolved.verifier, resolved.onDenied, resolved.senderConstraint);
  const usage = options.verification.usage;
  const resource = resolved.protectedResource;

  fastify.decorateRequest('principal', undefined);
  fastify.decorate('tollgate', {
    requireCredential:
      (...scopes: string[]) =>
      async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const { principal, headers } = await authentication.authenticate(request, scopes);
          reply.headers(headers);
          request.principal = principal;
        } catch (error) {
          if (!(error instanceof CredentialRequired || error instanceof VerificationError)) throw error;
          const answer = refusalAnswer(error, {
            realm: resolved.realm,
            resourceMetadata: resource?.metadataUrl(request.protocol, request.host),
          });
          return reply
            .code(answer.status)
            .headers(answer.headers)
            .type('application/problem+json')
            .send(JSON.stringify(refusalBody(answer)));
        }
      },
  });
  // PATs and API keys: their usage and "last used", with the status the route answered.
  if (usage) countResponses(fastify, usage, (request) => request.principal);
  if (resource)
    fastify.get(resource.metadataPath, async (_request, reply) =>
      reply.header('Cache-Control', 'public, max-age=300').send(resource.metadata),
    );
}

/**
 * Protects a Fastify app with Tollgate: `await app.register(tollgateFastify, { verification })`,
 * then `{ preHandler: app.tollgate.requireCredential('contacts:read') }` on each protected route.
 * Serves the RFC 9728 metadata and counts usage for the whole app (not encapsulated).
 */
export const tollgateFastify = fastifyPlugin(tollgate, { name: 'tollgate', fastify: '5.x' });
