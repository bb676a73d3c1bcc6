import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeAuthorizationServer, ScriptedResponse } from './fake-authorization-server.js';

/**
 * TEST DOUBLE of service-b, the CRM: `GET /contacts?limit&offset` over real HTTP on 127.0.0.1 and
 * port 0, protected like the real one (RFC 6750 challenges, problem+json bodies) by checking tokens
 * with the fake authorization server. Contacts live in memory, ordered by creation. Used by
 * apps/service-a until its end-to-end tests run against the real apps/service-b.
 */

export interface FakeContact {
  id: string;
  name: string;
  email: string;
  company: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface FakeServiceBOptions {
  authServer: FakeAuthorizationServer;
  /** The audience tokens must carry (RFC 8707 resource). */
  resource?: string;
  requiredScope?: string;
}

export interface RecordedContactsRequest {
  limit: string | null;
  offset: string | null;
  authorization?: string;
}

const MAX_LIMIT = 100;

export class FakeServiceB {
  readonly requests: RecordedContactsRequest[] = [];
  /** Runs before a page is served, e.g. to change the contacts in the middle of a listing. */
  beforePage?: (offset: number) => void;
  private contacts: FakeContact[] = [];
  private readonly scripted: ScriptedResponse[] = [];
  private gate?: Promise<void>;
  private inFlight = 0;
  /** Most requests that were being served at the same time. */
  maxConcurrentRequests = 0;
  private clock = Date.UTC(2030, 0, 1);

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: Required<FakeServiceBOptions>,
  ) {}

  static async start(options: FakeServiceBOptions): Promise<FakeServiceB> {
    let self: FakeServiceB | undefined;
    const server = createServer((req, res) => {
      self!.handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeServiceB(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      resource: 'https://crm.tollgate.local',
      requiredScope: 'contacts:read',
      ...options,
    });
    return self;
  }

  /** Adds contacts (defaults filled in) and returns them. */
  add(count: number, overrides: Partial<FakeContact> = {}): FakeContact[] {
    const added = Array.from({ length: count }, (_, i) => {
      const n = this.contacts.length + i + 1;
      const at = new Date((this.clock += 1000)).toISOString();
      return {
        id: randomUUID(),
        name: `Contact ${n}`,
        email: `contact${n}@example.com`,
        company: n % 2 ? 'Acme' : null,
        createdAt: at,
        updatedAt: at,
        ...overrides,
      };
    });
    this.contacts.push(...added);
    return added;
  }

  update(id: string, changes: Partial<Omit<FakeContact, 'id'>>): FakeContact {
    const contact = this.contacts.find((c) => c.id === id);
    if (!contact) throw new Error(`no contact ${id}`);
    Object.assign(contact, changes, { updatedAt: new Date((this.clock += 1000)).toISOString() });
    return contact;
  }

  remove(id: string): void {
    this.contacts = this.contacts.filter((c) => c.id !== id);
  }

  all(): FakeContact[] {
    return [...this.contacts];
  }

  /** The next contacts requests get these answers, in order. */
  respondNext(...responses: ScriptedResponse[]): void {
    this.scripted.push(...responses);
  }

  /** Holds contacts responses until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return () => {
      this.gate = undefined;
      release();
    };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method !== 'GET' || url.pathname !== '/contacts') return problem(res, 404, 'No such route');
    this.requests.push({
      limit: url.searchParams.get('limit'),
      offset: url.searchParams.get('offset'),
      authorization: req.headers.authorization,
    });
    this.inFlight += 1;
    this.maxConcurrentRequests = Math.max(this.maxConcurrentRequests, this.inFlight);
    try {
      if (this.gate) await this.gate;
      const scripted = this.scripted.shift();
      if (scripted) {
        const body = typeof scripted.body === 'string' ? scripted.body : JSON.stringify(scripted.body ?? {});
        res.writeHead(scripted.status, { 'content-type': 'application/problem+json', ...scripted.headers }).end(body);
        return;
      }
      if (!this.authorize(req, res)) return;
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT || !Number.isInteger(offset) || offset < 0) {
        return problem(res, 400, 'limit must be 1–100 and offset ≥ 0');
      }
      this.beforePage?.(offset);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          items: this.contacts.slice(offset, offset + limit),
          total: this.contacts.length,
          limit,
          offset,
        }),
      );
    } finally {
      this.inFlight -= 1;
    }
  }

  private authorize(req: IncomingMessage, res: ServerResponse): boolean {
    const token = /^Bearer ([^\s]+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) {
      problem(res, 401, 'A bearer token is required', { 'www-authenticate': 'Bearer realm="crm"' });
      return false;
    }
    const issued = this.options.authServer.introspect(token);
    if (!issued || issued.resource !== this.options.resource) {
      const description = issued ? 'The token is not meant for this API' : 'The token is invalid or expired';
      problem(res, 401, description, {
        'www-authenticate': `Bearer realm="crm", error="invalid_token", error_description="${description}"`,
      });
      return false;
    }
    if (!issued.scope.split(' ').includes(this.options.requiredScope)) {
      problem(res, 403, `The token lacks the scope ${this.options.requiredScope}`, {
        'www-authenticate': `Bearer realm="crm", error="insufficient_scope", scope="${this.options.requiredScope}"`,
      });
      return false;
    }
    return true;
  }
}

function problem(res: ServerResponse, status: number, detail: string, headers: Record<string, string> = {}): void {
  res
    .writeHead(status, { 'content-type': 'application/problem+json', ...headers })
    .end(JSON.stringify({ type: 'about:blank', title: String(status), status, detail }));
}
