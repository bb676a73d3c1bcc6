import { Inject, Injectable } from '@nestjs/common';
import {
  AuthServerUnavailableError,
  ClientCredentialsTokenProvider,
  createAuthorizedFetch,
  describeFetchFailure,
  DiscoveryError,
  type FetchFunction,
  InvalidTokenResponseError,
  isTimeout,
  TokenRequestError,
} from '@tollgate/m2m-client';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { SERVICE_A_CONFIG, type ServiceAConfig } from '../config/service-a.config.js';
import { CrmRefusedError, CrmResponseError, CrmUnavailableError, CrmUnstableError } from './crm.errors.js';
import { ContactsPageDto } from './dto/contacts-page.dto.js';

export interface CrmContact {
  id: string;
  name: string;
  email: string;
  company: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ContactsPage {
  items: CrmContact[];
  total: number;
}

const PAGE_SIZE = 100;
const MAX_PAGES = 10_000;
const MAX_READ_ATTEMPTS = 3;

/** Errors of the token provider, passed through untouched so the caller can tell them from service-b's. */
const TOKEN_ERRORS = [AuthServerUnavailableError, TokenRequestError, InvalidTokenResponseError, DiscoveryError];

/** service-b's contacts API, called with service-a's client-credentials token (audience and scope from the config). */
@Injectable()
export class CrmClient {
  private readonly base: string;
  private readonly fetch: FetchFunction;

  constructor(
    @Inject(SERVICE_A_CONFIG) private readonly config: ServiceAConfig,
    tokens: ClientCredentialsTokenProvider,
  ) {
    this.base = config.serviceB.url.endsWith('/') ? config.serviceB.url : `${config.serviceB.url}/`;
    this.fetch = createAuthorizedFetch(tokens);
  }

  /**
   * Every contact, page by page. Offset paging can skip or repeat contacts that are added or
   * deleted meanwhile, and a skipped contact would be removed from the audience, so the listing is
   * read again when the total moved or the ids do not add up to it.
   */
  async listAllContacts(signal: AbortSignal): Promise<CrmContact[]> {
    for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt += 1) {
      const listing = await this.readAllPages(signal);
      if (listing) return listing;
    }
    throw new CrmUnstableError(
      `service-b's contacts changed while they were being read, ${MAX_READ_ATTEMPTS} times in a row`,
    );
  }

  /** One page of GET /contacts. */
  async listContacts(limit: number, offset: number, signal: AbortSignal): Promise<ContactsPage> {
    const url = new URL('contacts', this.base);
    url.searchParams.set('limit', String(limit));
    url.searchParams.set('offset', String(offset));
    const timeoutMs = this.config.serviceB.timeoutMs;
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (TOKEN_ERRORS.some((type) => error instanceof type)) throw error;
      throw new CrmUnavailableError(
        `service-b at ${this.base} is unreachable (${describeFetchFailure(error, timeoutMs)})`,
        { timedOut: isTimeout(error), cause: error },
      );
    }
    if (response.status === 401 || response.status === 403) throw refusal(response, text);
    if (response.status >= 500) {
      throw new CrmUnavailableError(
        `service-b at ${this.base} failed (HTTP ${response.status}${problemDetail(text, ': ')})`,
        { status: response.status },
      );
    }
    if (response.status !== 200)
      throw new CrmResponseError(
        `service-b answered HTTP ${response.status} to GET ${url.pathname}${problemDetail(text, ': ')}`,
      );
    return parsePage(text);
  }

  /** All contacts, or undefined when the listing moved under us. */
  private async readAllPages(signal: AbortSignal): Promise<CrmContact[] | undefined> {
    const contacts = new Map<string, CrmContact>();
    let offset = 0;
    let total: number | undefined;
    let stable = true;
    for (let pages = 1; ; pages += 1) {
      if (pages > MAX_PAGES) throw new CrmResponseError(`service-b lists more than ${MAX_PAGES * PAGE_SIZE} contacts`);
      const page = await this.listContacts(PAGE_SIZE, offset, signal);
      if (total !== undefined && page.total !== total) stable = false;
      total = page.total;
      for (const contact of page.items) contacts.set(contact.id, contact);
      offset += page.items.length;
      if (page.items.length === 0 || offset >= page.total) break;
    }
    return stable && contacts.size === total ? [...contacts.values()] : undefined;
  }
}

function parsePage(text: string): ContactsPage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CrmResponseError('service-b answered GET /contacts with a body that is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new CrmResponseError('service-b answered GET /contacts with a body that is not a JSON object');
  const page = plainToInstance(ContactsPageDto, json);
  const errors = validateSync(page);
  if (errors.length > 0)
    throw new CrmResponseError(
      `service-b answered an unexpected contacts page: ${describeErrors(errors).slice(0, 3).join('; ')}`,
    );
  return {
    total: page.total,
    items: page.items.map((c) => ({
      id: c.id,
      name: c.name,
      email: c.email,
      company: c.company,
      createdAt: new Date(c.createdAt),
      updatedAt: new Date(c.updatedAt),
    })),
  };
}

function describeErrors(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const at = path ? `${path}.${e.property}` : e.property;
    return [...Object.values(e.constraints ?? {}).map((m) => `${at}: ${m}`), ...describeErrors(e.children ?? [], at)];
  });
}

/** The RFC 6750 §3 challenge and the problem detail of a 401/403. */
function refusal(response: Response, text: string): CrmRefusedError {
  const challenge = parseBearerChallenge(response.headers.get('www-authenticate'));
  const reason =
    challenge.error === 'insufficient_scope' && challenge.scope
      ? challenge.scope
      : (challenge.error_description ?? (problemDetail(text, '') || undefined));
  return new CrmRefusedError(response.status, challenge.error, reason);
}

function parseBearerChallenge(header: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  if (!header || !/^Bearer\b/i.test(header)) return params;
  for (const match of header.matchAll(/([A-Za-z_]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/g)) {
    params[match[1].toLowerCase()] = (match[2] ?? match[3]).replace(/\\(.)/g, '$1');
  }
  return params;
}

/** The `detail` of a problem+json body, prefixed, or '' (bounded and on one line, it ends up in messages). */
function problemDetail(text: string, prefix: string): string {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    if (typeof detail !== 'string' || !detail) return '';
    // eslint-disable-next-line no-control-regex
    return `${prefix}${detail.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200)}`;
  } catch {
    // not JSON: nothing worth quoting
  }
  return '';
}
