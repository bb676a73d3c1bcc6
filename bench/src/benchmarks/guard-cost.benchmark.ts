import { Controller, Get, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { countResponses, ResourceServerVerification } from '@tollgate/verifier';
import { RequireScopes, VerifierModule } from '@tollgate/verifier/nest';
import type { FastifyInstance } from 'fastify';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Benchmark, Contender, Measurement } from '../benchmark.js';
import { AuthServerProcess } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { CRM, CRM_SCOPES } from '../support/service-b.process.js';
import { percentile } from '../support/statistics.js';

const TOKEN_TTL_SECONDS = 86_400;

@Controller('contacts')
class ContactsStub {
  @Get()
  @RequireScopes('contacts:read')
  list(): { items: string[] } {
    return { items: ['Ada', 'Grace'] };
  }
}

/**
 * What the credential guard itself costs on a request whose credential is remembered: the same
 * Nest + Fastify route (a handler that returns a constant, so nothing else varies) in this process,
 * with service-b's verifier (real JWKS, introspection and revocation feed of a real auth-server)
 * and without any, driven request by request through Fastify's inject. The CPU µs on top is the
 * guard's cost per request; the service-b benchmarks measure the same on a real route over HTTP,
 * where the two sides also differ in load shape (the slower side gets fewer requests per
 * event-loop turn, so identical work costs it more per request).
 */
function guardCost(
  name: string,
  credential: string,
  headers: (auth: AuthServerProcess) => Promise<Record<string, string>>,
): Benchmark {
  return {
    name,
    description: `the credential guard alone, ${credential} remembered: the same in-process Nest route with service-b's verifier vs without (issue 15: ≤ 25 µs of CPU on top)`,
    kind: 'throughput',
    target: 0.8,
    cpuOverheadTargetUs: 25,

    async setup({ tempDir, log }) {
      const cleanup = new CleanupStack();
      try {
        log('starting the auth-server');
        const auth = await AuthServerProcess.start(tempDir);
        cleanup.add(() => auth.stop());
        await auth.createResource(CRM, CRM_SCOPES, TOKEN_TTL_SECONDS);
        const introspector = await auth.createClient('guard benchmark introspection', [
          { resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] },
        ]);
        const verification = new ResourceServerVerification({
          issuer: auth.issuer,
          resource: CRM,
          client: { id: introspector.id, secret: introspector.secret },
        });
        cleanup.add(() => verification.close());
        const request = { method: 'GET' as const, url: '/contacts', headers: await headers(auth) };

        const guarded = await inProcessApp(
          VerifierModule.forRoot({ useFactory: () => verification.verifier, guard: { realm: 'tollgate' } }),
          // As service-b does: each answer to a PAT or API key counts in the usage report.
          (fastify) => verification.usage && countResponses(fastify, verification.usage),
        );
        cleanup.add(() => guarded.close());
        const open = await inProcessApp();
        cleanup.add(() => open.close());
        const refused = await guarded.inject({ method: 'GET', url: '/contacts' });
        if (refused.statusCode !== 401)
          throw new Error(`the guarded route answered ${refused.statusCode} without a credential`);
        for (const app of [guarded, open]) {
          const answer = await app.inject(request);
          if (answer.statusCode !== 200) throw new Error(`the route answered ${answer.statusCode}: ${answer.body}`);
        }
        return {
          ours: injectContender(`guard on, ${credential} (remembered)`, guarded, request),
          baseline: injectContender('no guard', open, request),
          conditions: { route: 'GET /contacts (constant answer)', driver: 'Fastify inject, one request at a time' },
          teardown: () => cleanup.run(),
        };
      } catch (error) {
        await cleanup.run().catch(() => undefined);
        throw error;
      }
    },
  };
}

async function inProcessApp(
  verifier?: ReturnType<typeof VerifierModule.forRoot>,
  beforeInit?: (fastify: FastifyInstance) => void,
): Promise<FastifyInstance> {
  @Module({ imports: verifier ? [verifier] : [], controllers: [ContactsStub] })
  class BenchmarkModule {}
  const app = await NestFactory.create(BenchmarkModule as Type, new FastifyAdapter(), { logger: false });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  beforeInit?.(fastify);
  await app.init();
  return fastify;
}

/**
 * Requests one after another for `seconds`; CPU is this process's (the app runs in it). Every
 * 64 requests the loop lets the event loop turn: inject settles through microtasks only, so a
 * loop that never yields starves timers and immediates (the verifier's feed, socket cleanup),
 * which pile up by about 10 KB a request until the heap runs out.
 */
function injectContender(
  label: string,
  app: FastifyInstance,
  request: { method: 'GET'; url: string; headers: Record<string, string> },
): Contender {
  return {
    label,
    run: async (seconds): Promise<Measurement> => {
      const latencies: number[] = [];
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const deadline = started + seconds * 1000;
      while (performance.now() < deadline) {
        const begun = performance.now();
        const answer = await app.inject(request);
        if (answer.statusCode !== 200) throw new Error(`${label}: answered ${answer.statusCode}`);
        latencies.push(performance.now() - begun);
        if (latencies.length % 64 === 0) await yieldToEventLoop();
      }
      const cpu = process.cpuUsage(cpuBefore);
      const sorted = Float64Array.from(latencies).sort();
      return {
        rps: latencies.length / ((performance.now() - started) / 1000),
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        cpuUsPerOp: (cpu.user + cpu.system) / latencies.length,
      };
    },
  };
}

export const guardCostJwt = guardCost('guardCostJwt', 'JWT', async (auth) => {
  const client = await auth.createClient('guard benchmark', [{ resource: CRM, scopes: ['contacts:read'] }]);
  return { authorization: `Bearer ${await auth.token(client, { resource: CRM, scope: 'contacts:read' })}` };
});

export const guardCostPat = guardCost('guardCostPat', 'PAT', async (auth) => {
  const pat = await auth.createPat('ada@example.com', [{ resource: CRM, scopes: ['contacts:read'] }], {
    name: 'guard benchmark',
    scopes: ['contacts:read'],
    resource: [CRM],
  });
  return { authorization: `Bearer ${pat}` };
});

export const guardCostApiKey = guardCost('guardCostApiKey', 'API key', async (auth) => {
  const consumer = await auth.createConsumer('guard benchmark');
  const { key } = await auth.createApiKey(consumer, 'benchmark', [{ resource: CRM, scopes: ['contacts:read'] }]);
  return { 'x-api-key': key };
});
