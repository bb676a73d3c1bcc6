import { Body, ConflictException, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
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
import { MintsCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { UsersService } from '../users/users.service.js';
import { CreatedPatDto } from './dto/created-pat.response.js';
import { CreatePatDto } from './dto/create-pat.dto.js';
import { PatDto } from './dto/pat.response.js';
import { PatsService } from './pats.service.js';

/** Admins: any user's tokens; organisation-wide tokens are created for service accounts. */
@ApiTags('users')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/users/:id/tokens')
export class UserTokensController {
  constructor(
    private readonly pats: PatsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listUserTokens', summary: 'A user’s tokens (never their secret)' })
  @ApiOkResponse({ type: [PatDto] })
  async list(@Param('id', UuidPipe) id: string): Promise<PatDto[]> {
    await this.users.require(id);
    return this.pats.list(id);
  }

  @Post()
  @MintsCredentials()
  @ApiOperation({
    operationId: 'createUserToken',
    summary: 'Create a token for a service account (organisation-wide automation); people create their own',
  })
  @ApiCreatedResponse({ type: CreatedPatDto })
  @ApiConflictResponse({ description: 'The user is a person, or is disabled, or the name is taken' })
  async create(
    @Param('id', UuidPipe) id: string,
    @Body() body: CreatePatDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedPatDto> {
    const owner = await this.users.require(id);
    if (owner.kind !== 'service_account')
      throw new ConflictException(
        'Admins create tokens only for service accounts: a person creates their own tokens in account settings',
      );
    return this.pats.create(owner, body, actor);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeAllUserTokens', summary: 'Revoke every token of the user at once' })
  @ApiNoContentResponse()
  async revokeAll(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.users.require(id);
    await this.pats.revokeAll(id, actor, 'revoked by an admin');
  }

  @Delete(':tokenId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeUserToken', summary: 'Revoke one token of the user at once' })
  @ApiNoContentResponse()
  async revoke(
    @Param('id', UuidPipe) id: string,
    @Param('tokenId', UuidPipe) tokenId: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    await this.pats.revoke(id, tokenId, actor, 'revoked by an admin');
  }
}
