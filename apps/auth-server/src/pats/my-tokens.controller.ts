import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { AccountSettings } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { UsersService } from '../users/users.service.js';
import { CreatedPatDto } from './dto/created-pat.response.js';
import { CreatePatDto } from './dto/create-pat.dto.js';
import { ListPatsQueryDto } from './dto/list-pats.query.js';
import { PatDto } from './dto/pat.response.js';
import { PatsService } from './pats.service.js';
import { PatPolicyDto } from './dto/update-pat-policy.dto.js';
import { PatPolicyService } from './pat-policy.service.js';

/** Account settings: a signed-in person manages their own tokens (console session + X-CSRF-Token, or a CLI sign-in). */
@ApiTags('me')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@ApiForbiddenResponse({
  description:
    'Neither a console session nor a CLI sign-in (other PATs and access tokens cannot manage tokens), or no X-CSRF-Token with the cookie',
})
@AccountSettings()
@Controller('api/me/tokens')
export class MyTokensController {
  constructor(
    private readonly pats: PatsService,
    private readonly users: UsersService,
    private readonly policies: PatPolicyService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listMyTokens',
    summary: 'Your tokens (never their secret); ?expiring=7d: only those expiring within 7 days',
  })
  @ApiOkResponse({ type: [PatDto] })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListPatsQueryDto): Promise<PatDto[]> {
    return this.pats.list(principal.userId!, query.expiring ? Number.parseInt(query.expiring, 10) : undefined);
  }

  @Post()
  @ApiOperation({
    operationId: 'createMyToken',
    summary:
      'Create a token: name, scopes (within what you hold), optional resource restriction, expiry within the policy; the token is in this response only',
  })
  @ApiCreatedResponse({ type: CreatedPatDto })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Actor() actor: AuditActor,
    @Body() body: CreatePatDto,
  ): Promise<CreatedPatDto> {
    return this.pats.create(await this.users.require(principal.userId!), body, actor);
  }

  @Get('policy')
  @ApiOperation({
    operationId: 'getMyTokenPolicy',
    summary: 'The lifetime policy your new tokens must follow (what an admin sets at /api/settings/pat-policy)',
  })
  @ApiOkResponse({ type: PatPolicyDto })
  policy(): Promise<PatPolicyDto> {
    return this.policies.get();
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getMyToken', summary: 'Get one of my personal access tokens (never its secret)' })
  @ApiOkResponse({ type: PatDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidPipe) id: string): Promise<PatDto> {
    return this.pats.get(principal.userId!, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeMyToken', summary: 'Revoke a token at once (the password is not affected)' })
  @ApiNoContentResponse()
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Actor() actor: AuditActor,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    await this.pats.revoke(principal.userId!, id, actor, 'revoked by its owner');
  }
}
