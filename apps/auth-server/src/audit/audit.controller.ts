import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform';
import { RequireScopes } from '@tollgate/verifier';
import { type FindOptionsWhere, LessThan, Like, MoreThanOrEqual, And, type Repository } from 'typeorm';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditEventDto, AuditPageDto, AuditQueryDto } from './dto/audit-query.dto.js';

@ApiTags('audit')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/audit')
export class AuditController {
  constructor(@InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>) {}

  @Get()
  @ApiOperation({ summary: 'Query the audit log, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  async query(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    const limit = query.limit ?? 50;
    const where: FindOptionsWhere<AuditEventEntity> = {};
    if (query.action) where.action = query.action.endsWith('.*') ? Like(`${query.action.slice(0, -1)}%`) : query.action;
    if (query.outcome) where.outcome = query.outcome;
    if (query.actor) where.actorId = query.actor;
    if (query.credential) where.credentialId = query.credential;
    if (query.before) where.id = LessThan(query.before);
    const since = query.since ? MoreThanOrEqual(new Date(query.since)) : undefined;
    const until = query.until ? LessThan(new Date(query.until)) : undefined;
    if (since && until) where.occurredAt = And(since, until);
    else if (since ?? until) where.occurredAt = since ?? until;
    const rows = await this.events.find({ where, order: { id: 'DESC' }, take: limit + 1 });
    const page = rows.slice(0, limit);
    return { items: page.map(AuditEventDto.from), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }
}
