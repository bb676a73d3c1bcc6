import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { isUniqueViolation } from '@tollgate/persistence';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomUUID } from 'node:crypto';
import { AuditService, type AuditActor } from '../audit/audit.service.js';
import { AUTH_SERVER_CONFIG, type AuthServerConfig } from '../config/auth-server.config.js';
import type { Transaction } from '../database/unit-of-work.js';
import type { CreateResourceDto } from './dto/create-resource.dto.js';
import type { UpdateResourceDto } from './dto/update-resource.dto.js';
import type { ResourceEntity } from './resource.entity.js';
import { ResourcesRepository } from './resources.repository.js';

export interface ResolvedGrant {
  resource: ResourceEntity;
  scopes: string[];
}

@Injectable()
export class ResourcesService {
  constructor(
    private readonly resources: ResourcesRepository,
    private readonly audit: AuditService,
    @Inject(AUTH_SERVER_CONFIG) private readonly config: AuthServerConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  list(): Promise<ResourceEntity[]> {
    return this.resources.list();
  }

  async get(id: string): Promise<ResourceEntity> {
    const resource = await this.resources.findById(id);
    if (!resource) throw new NotFoundException(`Resource ${id} not found`);
    return resource;
  }

  findByIndicator(indicator: string): Promise<ResourceEntity | null> {
    return this.resources.findByIndicator(indicator);
  }

  findByIndicators(indicators: string[]): Promise<ResourceEntity[]> {
    return this.resources.findByIndicators(indicators);
  }

  async create(input: CreateResourceDto, actor: AuditActor): Promise<ResourceEntity> {
    if (await this.resources.existsWithIndicator(input.indicator))
      throw new ConflictException(`A resource with indicator ${input.indicator} already exists`);
    const now = this.clock.now();
    const resource: ResourceEntity = {
      id: randomUUID(),
      indicator: input.indicator,
      name: input.name,
      scopes: [...new Set(input.scopes)],
      accessTokenTtl: input.accessTokenTtl ?? this.config.defaultAccessTokenTtl,
      requiredBinding: input.requiredBinding ?? 'none',
      system: false,
      createdAt: now,
      updatedAt: now,
    };
    await this.resources.insert(resource).catch((error: unknown) => {
      // A concurrent creation passed the check above; the unique index decided.
      throw isUniqueViolation(error)
        ? new ConflictException(`A resource with indicator ${input.indicator} already exists`)
        : error;
    });
    await this.audit.record({
      action: 'resource.created',
      outcome: 'success',
      actor,
      details: { resourceId: resource.id, indicator: resource.indicator },
    });
    return resource;
  }

  async update(id: string, input: UpdateResourceDto, actor: AuditActor): Promise<ResourceEntity> {
    const resource = await this.get(id);
    if (resource.system && input.scopes) throw new ConflictException('The scopes of the management API are fixed');
    Object.assign(resource, {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.scopes !== undefined && { scopes: [...new Set(input.scopes)] }),
      ...(input.accessTokenTtl !== undefined && { accessTokenTtl: input.accessTokenTtl }),
      ...(input.requiredBinding !== undefined && { requiredBinding: input.requiredBinding }),
      updatedAt: this.clock.now(),
    });
    await this.resources.save(resource);
    await this.audit.record({
      action: 'resource.updated',
      outcome: 'success',
      actor,
      details: { resourceId: id, changes: Object.keys(input) },
    });
    return resource;
  }

  /**
   * Checks scope grants against the resources they name (each resource once, scopes it defines) and
   * returns them with their resources. Used for client grants and API-key grants alike.
   */
  async resolveGrants(grants: { resource: string; scopes: string[] }[], tx?: Transaction): Promise<ResolvedGrant[]> {
    const indicators = grants.map((g) => g.resource);
    if (new Set(indicators).size !== indicators.length)
      throw new BadRequestException('Each resource may appear only once in grants');
    const resources = await this.resources.findByIndicators(indicators, tx);
    return grants.map((grant) => {
      const resource = resources.find((r) => r.indicator === grant.resource);
      if (!resource) throw new BadRequestException(`Unknown resource ${grant.resource}`);
      const unknown = grant.scopes.filter((scope) => !resource.scopes.includes(scope));
      if (unknown.length)
        throw new BadRequestException(`Resource ${grant.resource} has no scope ${unknown.join(', ')}`);
      return { resource, scopes: [...new Set(grant.scopes)] };
    });
  }

  async remove(id: string, actor: AuditActor): Promise<void> {
    const resource = await this.get(id);
    if (resource.system) throw new ConflictException('The management API resource cannot be deleted');
    await this.resources.delete(id);
    await this.audit.record({
      action: 'resource.deleted',
      outcome: 'success',
      actor,
      details: { resourceId: id, indicator: resource.indicator },
    });
  }
}
