import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { ConsumerMemberDto } from './dto/consumer-member.response.js';
import { InviteMemberDto } from './dto/invite-member.dto.js';
import { PortalLimitsDto } from './dto/portal-limits.dto.js';
import { PortalDto } from './dto/portal.response.js';
import { PortalService } from './portal.service.js';

/** The provider's side of the developer portal: a consumer's limits and the people it invited. */
@ApiTags('developer-portal')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/consumers/:id')
export class ConsumerPortalController {
  constructor(private readonly portal: PortalService) {}

  @Get('portal')
  @ApiOperation({ operationId: 'getConsumerPortal', summary: 'The limits its developers work within (null: closed)' })
  @ApiOkResponse({ type: PortalDto })
  async get(@Param('id', UuidPipe) id: string): Promise<PortalDto> {
    return { limits: await this.portal.limits(id) };
  }

  @Put('portal')
  @ApiOperation({
    operationId: 'setConsumerPortal',
    summary:
      'Open the consumer’s developer portal, or change its limits: which scopes and environments keys may have, how many may be active, the rate-limit ceiling',
  })
  @ApiOkResponse({ type: PortalDto })
  async set(
    @Param('id', UuidPipe) id: string,
    @Body() body: PortalLimitsDto,
    @Actor() actor: AuditActor,
  ): Promise<PortalDto> {
    return { limits: await this.portal.setLimits(id, body, actor) };
  }

  @Delete('portal')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'closeConsumerPortal',
    summary: 'Close the portal: members no longer see the consumer; its keys keep working',
  })
  @ApiNoContentResponse()
  async close(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.portal.close(id, actor);
  }

  @Get('members')
  @ApiOperation({ operationId: 'listConsumerMembers', summary: 'The people who manage this consumer’s keys' })
  @ApiOkResponse({ type: [ConsumerMemberDto] })
  members(@Param('id', UuidPipe) id: string): Promise<ConsumerMemberDto[]> {
    return this.portal.members(id);
  }

  @Post('members')
  @ApiOperation({
    operationId: 'inviteConsumerMember',
    summary: 'Invite a person (by the email of their console account) to manage this consumer’s keys',
  })
  @ApiCreatedResponse({ type: ConsumerMemberDto })
  invite(
    @Param('id', UuidPipe) id: string,
    @Body() body: InviteMemberDto,
    @Actor() actor: AuditActor,
  ): Promise<ConsumerMemberDto> {
    return this.portal.invite(id, body.email, actor);
  }

  @Delete('members/:userId')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'removeConsumerMember',
    summary: 'Remove a member (the keys they created stay: they belong to the consumer)',
  })
  @ApiNoContentResponse()
  async remove(
    @Param('id', UuidPipe) id: string,
    @Param('userId', UuidPipe) userId: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    await this.portal.removeMember(id, userId, actor);
  }
}
