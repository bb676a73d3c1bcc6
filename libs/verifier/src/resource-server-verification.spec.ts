import { generateCredential } from '@tollgate/credentials';
import { eventually } from '../../../test/support/eventually.js';
import { TestIssuer } from '../../../test/support/test-issuer.js';
import { ResourceServerVerification } from './resource-server-verification.js';
import type { SequencedRevocationEvent } from './revocation/revocation-event.js';
import { VerificationError } from './verification-error.js';

const CRM = 'https://crm.tollgate.test';
const CONTEXT = { address: '203.0.113.7' };

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: string } | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    return { code: error.code, reason: error.reason };
  }
}

let seq = 0;
const event = (body: Record<string, unknown>) =>
  ({ ...body, seq: String(++seq), at: Date.now() }) as SequencedRevocationEvent;

describe(ResourceServerVerification.name, () => {
  describe('JWTs, over HTTP and MQTT', () => {
    let issuer: TestIssuer;
    let sut: ResourceServerVerification;

    beforeAll(async () => {
      issuer = await TestIssuer.start();
    });

    afterAll(async () => {
      await issuer.stop();
    });

    beforeEach(() => {
      sut = new ResourceServerVerification({ issuer: issuer.issuer, resource: CRM });
      vi.spyOn(sut.jwt, 'verify');
    });

    afterEach(async () => {
      await sut.close();
    });

    const token = (jti: string) => issuer.token({ subject: 'hub-1', audience: CRM, scope: 'devices:read', jti });

    it('verifies a token once for both paths: one cache of verified tokens, not two', async () => {
      const jwt = await token('jti-1');

      await sut.verifier.verifyRequest(jwt, CONTEXT);
      const verified = await sut.verifyAccessToken(jwt);
      await sut.verifier.verifyRequest(jwt, CONTEXT);

      expect(verified.claims).toMatchObject({ jti: 'jti-1', client_id: 'hub-1', scope: 'devices:read' });
      expect(sut.jwt.verify).toHaveBeenCalledTimes(1);
    });

    it('refuses a cached token on both paths once a token.revoked event arrives', async () => {
      const jwt = await token('jti-2');
      await sut.verifyAccessToken(jwt);

      sut.apply(event({ type: 'token.revoked', jti: 'jti-2', exp: Math.floor(Date.now() / 1000) + 300 }));

      expect(await refusal(sut.verifyAccessToken(jwt))).toEqual({ code: 'invalid_token', reason: 'revoked' });
      expect(await refusal(sut.verifier.verify(jwt, CONTEXT))).toEqual({ code: 'invalid_token', reason: 'revoked' });
    });

    it('refuses every token of a retired kid, cached or not, and verifies the others afresh', async () => {
      const [cached, fresh] = await Promise.all([token('jti-3'), token('jti-4')]);
      await sut.verifyAccessToken(cached);

      sut.apply(event({ type: 'signing_key.retired', kid: issuer.kid }));

      expect(await refusal(sut.verifyAccessToken(cached))).toEqual({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
      expect(await refusal(sut.verifier.verify(cached, CONTEXT))).toEqual({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
      expect(await refusal(sut.verifyAccessToken(fresh))).toEqual({
        code: 'invalid_token',
        reason: 'signing_key_retired',
      });
      // The cache went with the key: the cached token was verified again (then refused by the deny set).
      expect(sut.jwt.verify).toHaveBeenCalledTimes(3);
    });

    it('refuses tokens issued to a client before a subject.revoked_before, and accepts later ones', async () => {
      const before = await issuer.token({
        subject: 'hub-1',
        audience: CRM,
        issuedAt: Math.floor(Date.now() / 1000) - 10,
      });
      sut.apply(event({ type: 'subject.revoked_before', kind: 'client', id: 'hub-1', before: Date.now() - 5_000 }));

      expect(await refusal(sut.verifyAccessToken(before))).toEqual({
        code: 'invalid_token',
        reason: 'client_credentials_revoked',
      });
      expect(await refusal(sut.verifyAccessToken(await token('jti-5')))).toBe('accepted');
    });

    it('tells every listener about an event after the deny list has it', async () => {
      const jwt = await token('jti-6');
      const seen: unknown[] = [];
      sut.onRevocation(async (received) => seen.push([received.type, await refusal(sut.verifyAccessToken(jwt))]));

      sut.apply(event({ type: 'token.revoked', jti: 'jti-6', exp: Math.floor(Date.now() / 1000) + 300 }));

      await eventually(() => expect(seen).toEqual([['token.revoked', { code: 'invalid_token', reason: 'revoked' }]]));
    });

    it('answers 503 keys_unavailable while the authorization server cannot be reached', async () => {
      const unreachable = new ResourceServerVerification({ issuer: 'http://127.0.0.1:9', resource: CRM });
      const error = (await unreachable
        .verifyAccessToken(await token('jti-7'))
        .catch((e: unknown) => e)) as VerificationError;
      expect({ code: error.code, status: error.status }).toEqual({ code: 'temporarily_unavailable', status: 503 });
      await unreachable.close();
    });
  });

  describe('an issuer URL that does not resolve here, reached at internalUrl (a container network)', () => {
    const PUBLIC_ISSUER = 'http://tollgate-public.invalid:7400';
    let issuer: TestIssuer;

    beforeAll(async () => {
      issuer = await TestIssuer.start({ publicIssuer: PUBLIC_ISSUER });
    });

    afterAll(async () => {
      await issuer.stop();
    });

    it('verifies its tokens with the keys fetched at the internal origin, the `iss` still the public issuer', async () => {
      const sut = new ResourceServerVerification({ issuer: PUBLIC_ISSUER, internalUrl: issuer.url, resource: CRM });
      const jwt = await issuer.token({ subject: 'service-a', audience: CRM, scope: 'contacts:read' });

      await expect(sut.verifyAccessToken(jwt)).resolves.toMatchObject({ claims: { iss: PUBLIC_ISSUER } });
      // The token names where the issuer is reached, not the issuer: refused.
      const internalIss = await issuer.token({ subject: 'service-a', audience: CRM, issuer: issuer.url });
      expect(await refusal(sut.verifyAccessToken(internalIss))).toMatchObject({ code: 'invalid_token' });
      await sut.close();
    });

    it('cannot reach it without internalUrl (503), nor trust it as the issuer it is reached at', async () => {
      const jwt = await issuer.token({ subject: 'service-a', audience: CRM });
      const unresolved = new ResourceServerVerification({ issuer: PUBLIC_ISSUER, resource: CRM });
      const asInternal = new ResourceServerVerification({ issuer: issuer.url, resource: CRM });

      expect(await refusal(unresolved.verifyAccessToken(jwt))).toMatchObject({ code: 'temporarily_unavailable' });
      // Its metadata names PUBLIC_ISSUER: discovery refuses it, as for any impersonating server.
      expect(await refusal(asInternal.verifyAccessToken(jwt))).toMatchObject({ code: 'temporarily_unavailable' });
      await Promise.all([unresolved.close(), asInternal.close()]);
    });
  });

  /**
   * A scripted auth-server behind `fetch`: discovery, the token endpoint, introspection of one PAT
   * (counted), and the revocation feed, which the test opens, cuts and fills with events.
   */
  describe('the revocation feed and the introspection cache', () => {
    const ISSUER = 'https://auth.tollgate.test';
    const pat = generateCredential('pat');
    let feedUp: boolean;
    let introspections: number;
    let feed: ReadableStreamDefaultController<Uint8Array> | undefined;
    let sut: ResourceServerVerification;

    const fetch = (async (input: string | URL, init?: RequestInit) => {
      const url = new URL(String(input));
      const json = (body: object) =>
        new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (url.pathname === '/.well-known/oauth-authorization-server') {
        return json({
          issuer: ISSUER,
          token_endpoint: `${ISSUER}/token`,
          jwks_uri: `${ISSUER}/jwks`,
          introspection_endpoint: `${ISSUER}/introspect`,
          revocation_feed_endpoint: `${ISSUER}/revocations`,
          usage_endpoint: `${ISSUER}/usage`,
          management_api_resource: `${ISSUER}/api`,
        });
      }
      if (url.pathname === '/token') return json({ access_token: 'feed-token', token_type: 'Bearer', expires_in: 300 });
      if (url.pathname === '/introspect') {
        introspections++;
        return json({
          active: true,
          token_type: 'Bearer',
          credential_type: 'pat',
          credential_id: 'pat-1',
          sub: 'user-1',
          user_id: 'user-1',
          scope: 'contacts:read',
          aud: [],
          iss: ISSUER,
          iat: 0,
        });
      }
      if (url.pathname.includes('revocations')) {
        init?.signal?.throwIfAborted();
        if (!feedUp) throw new TypeError('fetch failed');
        let stream!: ReadableStreamDefaultController<Uint8Array>;
        const body = new ReadableStream<Uint8Array>({ start: (controller) => void (stream = controller) });
        init?.signal?.addEventListener('abort', () => stream.error(new DOMException('aborted', 'AbortError')));
        feed = stream;
        return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
      }
      return new Response(null, { status: 204 });
    }) as typeof globalThis.fetch;

    const send = (revocation: Record<string, unknown>) =>
      feed!.enqueue(
        new TextEncoder().encode(
          `id: ${++seq}\ndata: ${JSON.stringify({ ...revocation, seq: String(seq), at: Date.now() })}\n\n`,
        ),
      );
    const cut = () => {
      feedUp = false;
      feed!.error(new TypeError('terminated'));
    };

    beforeEach(() => {
      feedUp = true;
      introspections = 0;
      sut = new ResourceServerVerification({
        issuer: ISSUER,
        resource: CRM,
        client: { id: 'crm', secret: 'crm-secret' },
        maxFeedStalenessMs: 200,
        fetch,
      });
    });

    afterEach(async () => {
      await sut.close();
    });

    it('applies the events it receives: a revoked PAT is refused at once, though its introspection was cached', async () => {
      await eventually(() =>
        expect(sut.health()).toMatchObject({ revocationFeed: 'connected', introspectionCacheTrusted: true }),
      );
      await sut.verifier.verify(pat, CONTEXT);

      send({ type: 'credential.revoked', credentialType: 'pat', credentialId: 'pat-1' });

      await eventually(async () =>
        expect(await refusal(sut.verifier.verify(pat, CONTEXT))).toEqual({ code: 'invalid_token', reason: 'revoked' }),
      );
      expect(sut.health().lastRevocationEventId).toBe(String(seq));
    });

    it('stops trusting cached introspections once the feed has been down past the bound, and trusts them again when it is back', async () => {
      await eventually(() => expect(sut.health().revocationFeed).toBe('connected'));
      await sut.verifier.verify(pat, CONTEXT);
      await sut.verifier.verify(pat, CONTEXT);
      expect(introspections).toBe(1);

      cut();
      await eventually(() =>
        expect(sut.health()).toMatchObject({ revocationFeed: 'disconnected', introspectionCacheTrusted: false }),
      );
      await sut.verifier.verify(pat, CONTEXT);
      await sut.verifier.verify(pat, CONTEXT);
      expect(introspections).toBe(3);

      feedUp = true;
      await eventually(() =>
        expect(sut.health()).toMatchObject({ revocationFeed: 'connected', introspectionCacheTrusted: true }),
      );
      await sut.verifier.verify(pat, CONTEXT);
      await sut.verifier.verify(pat, CONTEXT);
      expect(introspections).toBe(4);
    });

    it('keeps trusting the cache through a blip shorter than the bound', async () => {
      await sut.close();
      sut = new ResourceServerVerification({
        issuer: ISSUER,
        resource: CRM,
        client: { id: 'crm', secret: 'crm-secret' },
        maxFeedStalenessMs: 60_000,
        fetch,
      });
      await eventually(() => expect(sut.health().revocationFeed).toBe('connected'));
      cut();
      await eventually(() => expect(sut.health().revocationFeed).toBe('disconnected'));
      expect(sut.health().introspectionCacheTrusted).toBe(true);
    });
  });
});
