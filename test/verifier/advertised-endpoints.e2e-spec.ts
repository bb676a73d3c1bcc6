import { ResourceServerVerification, VerificationError } from '@tollgate/verifier';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageService } from '../../apps/auth-server/src/usage/usage.service.js';
import { AuthServerHarness } from '../support/auth-server.harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';

const CRM = 'https://crm.tollgate.test';
const METADATA_PATH = '/.well-known/oauth-authorization-server';
/** Where the gateway serves the feed and usage reports instead of the auth-server's own paths. */
const MOVED = { feed: '/edge/revocation-events', usage: '/edge/usage-reports' };
const OWN_PATHS = ['/api/revocations/stream', '/api/usage'];

type MetadataMode = 'moved' | 'bare';

/**
 * The auth-server's public origin (AUTH_ISSUER) as a gateway in front of it: every request is
 * forwarded, except that the metadata advertises the feed and usage reports under other paths
 * (`moved`) or not at all (`bare`), and the auth-server's own paths for them answer 404. A verifier
 * that built those URLs from the issuer by hand would never reach them.
 */
class MetadataGateway {
  mode: MetadataMode = 'moved';
  /** Paths requested through the gateway, in order (method and path). */
  readonly requests: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly upstreamPort: number,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(upstreamPort: number): Promise<MetadataGateway> {
    let self: MetadataGateway | undefined;
    const server = createServer((req, res) => self!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new MetadataGateway(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`, upstreamPort);
    return self;
  }

  hits(path: string): number {
    return this.requests.filter((line) => line.endsWith(` ${path}`)).length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', this.origin).pathname;
    this.requests.push(`${req.method} ${path}`);
    if (path === METADATA_PATH) return void this.metadata(res);
    if (OWN_PATHS.includes(path))
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    const upstreamPath = path === MOVED.feed ? OWN_PATHS[0] : path === MOVED.usage ? OWN_PATHS[1] : req.url!;
    this.forward(req, res, upstreamPath);
  }

  private async metadata(res: ServerResponse): Promise<void> {
    const metadata = await (await fetch(`http://127.0.0.1:${this.upstreamPort}${METADATA_PATH}`)).json();
    if (this.mode === 'moved') {
      metadata.revocation_feed_endpoint = this.origin + MOVED.feed;
      metadata.usage_endpoint = this.origin + MOVED.usage;
    } else {
      delete metadata.revocation_feed_endpoint;
      delete metadata.usage_endpoint;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
  }

  private forward(req: IncomingMessage, res: ServerResponse, path: string): void {
    const upstream = request(
      { host: '127.0.0.1', port: this.upstreamPort, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}

/**
 * The verifier follows the revocation feed and reports usage at the URLs the auth-server's metadata
 * advertises (`revocation_feed_endpoint`, `usage_endpoint`, `management_api_resource`), and refuses
 * to guess them when the metadata does not name them.
 */
describe('the verifier reads the feed and usage endpoints from the metadata', () => {
  let gateway: MetadataGateway;
  let auth: AuthServerHarness;
  let resourceServer: { id: string; secret: string };
  let reader: { id: string; secret: string };
  const verifications: ResourceServerVerification[] = [];

  function verification(onBackgroundError?: (error: unknown) => void): ResourceServerVerification {
    const created = new ResourceServerVerification({
      issuer: gateway.origin,
      resource: CRM,
      client: resourceServer,
      onBackgroundError,
      usageFlushIntervalMs: 60_000,
    });
    verifications.push(created);
    return created;
  }

  beforeAll(async () => {
    const port = await freePort();
    gateway = await MetadataGateway.start(port);
    auth = await AuthServerHarness.start({ port, env: { AUTH_ISSUER: gateway.origin } });
    await auth.createResource(CRM, ['contacts:read']);
    resourceServer = await auth.createClient({
      name: 'crm',
      grants: [{ resource: auth.managementApi, scopes: ['tokens:introspect', 'usage:write', 'revocations:read'] }],
    });
    reader = await auth.createClient({ name: 'reader', grants: [{ resource: CRM, scopes: ['contacts:read'] }] });
  });
  afterAll(async () => {
    for (const created of verifications) await created.close();
    await auth?.stop();
    await gateway?.close();
  });
  beforeEach(() => {
    gateway.mode = 'moved';
    gateway.requests.length = 0;
  });

  it('follows the advertised revocation feed: a token revoked at the auth-server is refused at once', async () => {
    const sut = verification();
    await eventually(() => expect(sut.health().revocationFeed).toBe('connected'), 10_000);
    const token = await auth.token(reader.id, reader.secret, { resource: CRM });
    expect((await sut.verifyAccessToken(token)).principal.subject).toBe(reader.id);

    expect((await auth.form('/oauth/revoke', { token }, reader)).status).toBe(200);
    await eventually(async () => {
      const refusal = await sut.verifyAccessToken(token).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(VerificationError);
      expect((refusal as VerificationError).description).toBe('The access token has been revoked');
    });
    expect(gateway.hits(MOVED.feed)).toBeGreaterThanOrEqual(1);
    expect(OWN_PATHS.map((path) => gateway.hits(path))).toEqual([0, 0]);
  });

  it('reports usage to the advertised usage endpoint, with a token for the advertised management API', async () => {
    const consumer = (await auth.api('POST', '/api/consumers', { name: 'Zap', contact: 'ops@example.com' })).body;
    const key = (
      await auth.api('POST', `/api/consumers/${consumer.id}/keys`, {
        name: 'k',
        grants: [{ resource: CRM, scopes: ['contacts:read'] }],
      })
    ).body;
    const errors: unknown[] = [];
    const sut = verification((error) => errors.push(error));

    sut.usage!.recordResponse(
      {
        credentialType: 'api_key',
        credentialId: key.id,
        subject: consumer.id,
        scopes: new Set(['contacts:read']),
        audience: [CRM],
      },
      200,
      '203.0.113.9',
    );
    await sut.usage!.flush();

    expect(errors).toEqual([]);
    expect(sut.usage!.health()).toEqual({ pending: 0, dropped: 0 });
    expect(gateway.requests).toContain(`POST ${MOVED.usage}`);
    expect(OWN_PATHS.map((path) => gateway.hits(path))).toEqual([0, 0]);
    await auth.app.get(UsageService).flush();
    const usage = (await auth.api('GET', `/api/keys/${key.id}/usage`)).body;
    expect(usage.lastUsedAddress).toBe('203.0.113.9');
  });

  it('without the endpoints in the metadata, guesses nothing: the feed stays down and reports wait, with errors naming the issuer and the missing member', async () => {
    gateway.mode = 'bare';
    const errors: unknown[] = [];
    const sut = verification((error) => errors.push(error));
    const feedErrors = () =>
      errors.filter((error) => String((error as Error).message).includes('revocation_feed_endpoint'));
    await eventually(() => expect(feedErrors()).toHaveLength(1), 10_000);
    expect((feedErrors()[0] as Error).message).toBe(
      `The authorization server at ${gateway.origin} advertises no valid revocation_feed_endpoint in its metadata (${gateway.origin}${METADATA_PATH})`,
    );
    expect(sut.health().revocationFeed).toBe('disconnected');

    sut.usage!.recordResponse(
      {
        credentialType: 'pat',
        credentialId: 'f2b1c0de-0000-4000-8000-000000000001',
        subject: 'someone',
        scopes: new Set(),
        audience: [],
      },
      200,
      '203.0.113.9',
    );
    await sut.usage!.flush();
    expect((errors.at(-1) as Error).message).toBe(
      `The authorization server at ${gateway.origin} advertises no valid usage_endpoint in its metadata (${gateway.origin}${METADATA_PATH})`,
    );
    expect(sut.usage!.health()).toEqual({ pending: 1, dropped: 0 });
    expect(OWN_PATHS.map((path) => gateway.hits(path))).toEqual([0, 0]);
    // Reported once per outage, not at every attempt to reconnect (200 ms, 400 ms, 800 ms…).
    await sleep(1_000);
    expect(feedErrors()).toHaveLength(1);
  });
});
