import { type AuthServerSchemas, describeErrorBody, expectAnswer } from '@tollgate/api-client';
import type { ManagementApiClient, SecretAuthMethod } from './management-api.client.js';
import { SeedError } from './seed-error.js';

export interface ResourceSpec {
  indicator: string;
  name: string;
  scopes: string[];
}

export interface GrantSpec {
  resource: string;
  scopes: string[];
}

export interface ClientSpec {
  id: string;
  name: string;
  kind: 'service' | 'device';
  grants: GrantSpec[];
  /** The operator-chosen secret the client must accept. */
  secret: string;
  /** Where the secret comes from (an environment variable), for error messages. */
  secretSource?: string;
}

export interface ConsumerSpec {
  name: string;
  contact: string;
  description?: string;
}

export interface ProvisionerOptions {
  /** One line per thing ensured. */
  log: (line: string) => void;
  /**
   * Enable story clients and consumers found disabled. Off for the seed: an operator may have
   * disabled a device on purpose, and re-running docker-compose must not undo that.
   */
  enableDisabled?: boolean;
}

type ResourceView = AuthServerSchemas['schemas']['ResourceDto'];
type ClientView = AuthServerSchemas['schemas']['ClientDto'];
type ConsumerView = AuthServerSchemas['schemas']['ApiConsumerDto'];

const describeGrants = (grants: GrantSpec[]) => grants.map((g) => `${g.scopes.join(' ')} on ${g.resource}`).join('; ');

/**
 * Brings resources, clients and API consumers to a desired state through the management API,
 * creating what is missing and adding what is lacking, never removing anything an operator added.
 * Idempotent: a second run changes nothing and says "up to date".
 */
export class Provisioner {
  constructor(
    private readonly admin: ManagementApiClient,
    private readonly options: ProvisionerOptions,
  ) {}

  private get api() {
    return this.admin.api;
  }

  private async findResource(indicator: string): Promise<ResourceView | undefined> {
    return (await expectAnswer(this.api.GET('/api/resources'), 200)).find((r) => r.indicator === indicator);
  }

  async ensureResource(spec: ResourceSpec): Promise<ResourceView> {
    let existing = await this.findResource(spec.indicator);
    if (!existing) {
      const created = await this.api.POST('/api/resources', { body: spec });
      // 409: created meanwhile by another run; fall through to the update path.
      if (created.data) {
        this.options.log(`✓ resource ${spec.indicator}: created (scopes ${spec.scopes.join(' ')})`);
        return created.data;
      }
      existing = await this.findResource(spec.indicator);
      if (!existing)
        throw new SeedError(`resource ${spec.indicator}: could not be created (HTTP ${created.response.status})`);
    }
    const missing = spec.scopes.filter((scope) => !existing.scopes.includes(scope));
    if (missing.length === 0) {
      this.options.log(`✓ resource ${spec.indicator}: up to date`);
      return existing;
    }
    if (existing.system)
      throw new SeedError(`resource ${spec.indicator} is Tollgate's own management API; its scopes cannot change`);
    const updated = await expectAnswer(
      this.api.PATCH('/api/resources/{id}', {
        params: { path: { id: existing.id } },
        body: { scopes: [...existing.scopes, ...missing] },
      }),
      200,
    );
    this.options.log(`✓ resource ${spec.indicator}: scopes added (${missing.join(' ')})`);
    return updated;
  }

  /** Ensures the client exists with at least these grants and accepts exactly the configured secret; checks a token for every grant. */
  async ensureClient(spec: ClientSpec): Promise<void> {
    const path = `/api/clients/${encodeURIComponent(spec.id)}`;
    const byId = { params: { path: { id: spec.id } } };
    const found = await this.api.GET('/api/clients/{id}', byId);
    if (found.response.status === 404) {
      const created = await this.api.POST('/api/clients', {
        body: { id: spec.id, name: spec.name, kind: spec.kind, grants: spec.grants, clientSecret: spec.secret },
      });
      const status = created.response.status;
      if (status === 409 && /secret/i.test(describeErrorBody(created.error))) throw this.secretTaken(spec);
      if (status !== 201)
        throw new SeedError(
          `client ${spec.id}: could not be created (HTTP ${status}: ${describeErrorBody(created.error)})`,
        );
      await this.checkTokens(spec, 'client_secret_basic');
      this.options.log(`✓ client ${spec.id}: created (${spec.kind}; ${describeGrants(spec.grants)})`);
      return;
    }
    if (!found.data) throw new SeedError(`client ${spec.id}: GET ${path} answered ${found.response.status}`);
    const client = found.data;
    if (client.kind !== spec.kind) {
      throw new SeedError(
        `client ${spec.id} exists as a ${client.kind} client but the story needs a ${spec.kind}: delete it (DELETE ${path}) or choose another id`,
      );
    }
    if (
      client.tokenEndpointAuthMethod !== 'client_secret_basic' &&
      client.tokenEndpointAuthMethod !== 'client_secret_post'
    ) {
      throw new SeedError(
        `client ${spec.id} authenticates with ${client.tokenEndpointAuthMethod}, not a secret: delete it (DELETE ${path}) or choose another id`,
      );
    }
    const method = client.tokenEndpointAuthMethod as SecretAuthMethod;
    const changes: string[] = [];

    const merged = mergeGrants(client.grants, spec.grants);
    if (merged.added.length > 0) {
      await expectAnswer(this.api.PATCH('/api/clients/{id}', { ...byId, body: { grants: merged.grants } }), 200);
      changes.push(`grants added (${describeGrants(merged.added)})`);
    }
    if (client.disabled) {
      if (!this.options.enableDisabled) {
        this.options.log(
          `! client ${spec.id}: disabled, left disabled (enable it with PATCH ${path} {"disabled":false}); its secret was not checked`,
        );
        return;
      }
      await expectAnswer(this.api.PATCH('/api/clients/{id}', { ...byId, body: { disabled: false } }), 200);
      changes.push('enabled again');
    }
    const first = spec.grants[0];
    const attempt = await this.admin.clientCredentials(spec.id, spec.secret, { resource: first?.resource }, method);
    if (!attempt.ok && attempt.error === 'invalid_client') {
      await this.setSecret(spec, client);
      changes.push('secret set to the configured one (the previous one expires now)');
    } else if (!attempt.ok) {
      throw new SeedError(
        `client ${spec.id}: the token endpoint answered ${attempt.status} ${attempt.error}${attempt.description ? ` (${attempt.description})` : ''}`,
      );
    }
    await this.checkTokens(spec, method);
    this.options.log(`✓ client ${spec.id}: ${changes.length > 0 ? changes.join(', ') : 'up to date'}`);
  }

  async ensureConsumer(spec: ConsumerSpec): Promise<ConsumerView> {
    const existing = (await expectAnswer(this.api.GET('/api/consumers'), 200)).find((c) => c.name === spec.name);
    if (!existing) {
      const created = await expectAnswer(this.api.POST('/api/consumers', { body: spec }), 201);
      this.options.log(`✓ API consumer "${spec.name}": created`);
      return created;
    }
    if (existing.disabled) {
      if (!this.options.enableDisabled) {
        this.options.log(
          `! API consumer "${spec.name}": disabled, left disabled (its keys do not work until it is enabled)`,
        );
        return existing;
      }
      const enabled = await expectAnswer(
        this.api.PATCH('/api/consumers/{id}', { params: { path: { id: existing.id } }, body: { disabled: false } }),
        200,
      );
      this.options.log(`✓ API consumer "${spec.name}": enabled again`);
      return enabled;
    }
    this.options.log(`✓ API consumer "${spec.name}": up to date`);
    return existing;
  }

  /** Adds the configured secret and expires the others at once (POST /api/clients/{id}/secrets). */
  private async setSecret(spec: ClientSpec, client: ClientView): Promise<void> {
    const rotate = () =>
      this.api.POST('/api/clients/{id}/secrets', {
        params: { path: { id: spec.id } },
        body: { clientSecret: spec.secret, expireCurrentInMinutes: 0 },
      });
    let { response, error } = await rotate();
    if (response.status === 409) {
      // The configured secret may be one of this client's own expired secrets (set once, replaced
      // since). An expired secret is of no use to anyone: remove them and try again.
      for (const secret of client.secrets.filter((s) => !s.active))
        await expectAnswer(
          this.api.DELETE('/api/clients/{id}/secrets/{secretId}', {
            params: { path: { id: spec.id, secretId: secret.id } },
          }),
          204,
          404,
        );
      ({ response, error } = await rotate());
    }
    if (response.status === 409) throw this.secretTaken(spec);
    if (response.status !== 201)
      throw new SeedError(
        `client ${spec.id}: setting its secret answered HTTP ${response.status} (${describeErrorBody(error)})`,
      );
  }

  /** Every grant yields a token with every granted scope, with the configured secret. */
  private async checkTokens(spec: ClientSpec, method: SecretAuthMethod): Promise<void> {
    for (const grant of spec.grants) {
      const attempt = await this.admin.clientCredentials(spec.id, spec.secret, { resource: grant.resource }, method);
      if (!attempt.ok) {
        throw new SeedError(
          `client ${spec.id}: no token for ${grant.resource} with the configured secret (${attempt.status} ${attempt.error}${attempt.description ? `: ${attempt.description}` : ''})`,
        );
      }
      const granted = attempt.scope.split(' ');
      const lacking = grant.scopes.filter((scope) => !granted.includes(scope));
      if (lacking.length > 0)
        throw new SeedError(`client ${spec.id}: its token for ${grant.resource} lacks ${lacking.join(' ')}`);
    }
  }

  private secretTaken(spec: ClientSpec): SeedError {
    return new SeedError(
      `client ${spec.id}: the configured secret${spec.secretSource ? ` (${spec.secretSource})` : ''} is already another client's secret; choose a different one`,
    );
  }
}

/** The union of existing and wanted grants, and what it adds. */
function mergeGrants(existing: GrantSpec[], wanted: GrantSpec[]): { grants: GrantSpec[]; added: GrantSpec[] } {
  const grants = existing.map((g) => ({ resource: g.resource, scopes: [...g.scopes] }));
  const added: GrantSpec[] = [];
  for (const want of wanted) {
    let grant = grants.find((g) => g.resource === want.resource);
    if (!grant) {
      grant = { resource: want.resource, scopes: [] };
      grants.push(grant);
    }
    const missing = want.scopes.filter((scope) => !grant.scopes.includes(scope));
    if (missing.length > 0) {
      grant.scopes.push(...missing);
      added.push({ resource: want.resource, scopes: missing });
    }
  }
  return { grants, added };
}
