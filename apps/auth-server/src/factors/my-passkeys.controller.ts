import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { SESSION_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { Actor, type AuditActor } from '../common/actor.js';
import { SessionOnly } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { RequireRecentSignIn } from '../common/recent-sign-in.js';
import { UsersService } from '../users/users.service.js';
import { CreatePasskeyDto, RenamePasskeyDto } from './dto/create-passkey.dto.js';
import { PasskeyCreationOptionsDto } from './dto/passkey-options.response.js';
import { CreatedPasskeyDto, PasskeyDto } from './dto/passkey.response.js';
import { PasskeysService } from './passkeys.service.js';
import { SignInFactorsService } from './sign-in-factors.service.js';

/** Account settings: your passkeys (console session only; adding and removing want a recent sign-in). */
@ApiTags('me')
@ApiCookieAuth(SESSION_SCHEME)
@ApiManagementErrors()
@SessionOnly()
@Controller('api/me/passkeys')
export class MyPasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly factors: SignInFactorsService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listMyPasskeys', summary: 'Your passkeys: name, created, last used' })
  @ApiOkResponse({ type: [PasskeyDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<PasskeyDto[]> {
    return this.passkeys.list(principal.userId!);
  }

  @Post('options')
  @HttpCode(200)
  @RequireRecentSignIn()
  @ApiOperation({
    operationId: 'createMyPasskeyOptions',
    summary: 'Start adding a passkey: options for navigator.credentials.create() (a discoverable credential)',
  })
  @ApiOkResponse({ type: PasskeyCreationOptionsDto })
  async options(@CurrentPrincipal() principal: Principal): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.users.require(principal.userId!);
    return this.passkeys.registrationOptions(user, principal.credentialId);
  }

  @Post()
  @RequireRecentSignIn()
  @ApiOperation({
    operationId: 'createMyPasskey',
    summary: 'Add the passkey the browser created for the options; your first second factor comes with recovery codes',
  })
  @ApiCreatedResponse({ type: CreatedPasskeyDto })
  @ApiConflictResponse({ description: 'This passkey is registered already' })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreatePasskeyDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedPasskeyDto> {
    const user = await this.users.require(principal.userId!);
    return this.factors.addPasskey(
      user,
      principal.credentialId,
      body.name,
      body.passkey as RegistrationResponseJSON,
      actor,
    );
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'renameMyPasskey', summary: 'Rename a passkey' })
  @ApiOkResponse({ type: PasskeyDto })
  rename(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() body: RenamePasskeyDto,
    @Actor() actor: AuditActor,
  ): Promise<PasskeyDto> {
    return this.factors.renamePasskey(principal.userId!, id, body.name, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRecentSignIn()
  @ApiOperation({ operationId: 'deleteMyPasskey', summary: 'Remove a passkey: it no longer signs you in' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'It is your last second factor and the sign-in policy requires one' })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidPipe) id: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    await this.factors.removePasskey(principal.userId!, id, actor);
  }
}
