import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MANAGEMENT_SCOPES } from '@tollgate/credentials';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import { RequireScopes } from '@tollgate/verifier/nest';
import { AuditService } from '../audit/audit.service.js';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { SigningKeyIdPipe } from '../common/id.pipes.js';
import { RetirementResultDto } from './dto/retirement-result.response.js';
import { RotateSigningKeysDto } from './dto/rotate-signing-keys.dto.js';
import { RotationResultDto } from './dto/rotation-result.response.js';
import { SigningKeyDto } from './dto/signing-key.response.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('signing-keys')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/signing-keys')
export class SigningKeysController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listSigningKeys',
    summary: 'List signing keys and their states (never the private keys)',
  })
  @ApiOkResponse({ type: [SigningKeyDto] })
  async list(): Promise<SigningKeyDto[]> {
    return (await this.keys.list()).map(SigningKeyDto.from);
  }

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateSigningKeys',
    summary: 'Rotate: next → current → previous; tokens signed before keep verifying until they expire',
    description:
      'Refused (409, Retry-After) while the next key is younger than the JWKS cache lifetime, unless `immediately` is true. `immediately` (the current key is compromised) retires the current key instead of keeping it as previous: it leaves the JWKS and every verifier refuses its tokens.',
  })
  @ApiOkResponse({ type: RotationResultDto })
  @ApiConflictResponse({
    description: 'The next key is too young (Retry-After), or another change won the race (problem+json)',
  })
  async rotate(@Body() body: RotateSigningKeysDto, @Actor() actor: AuditActor): Promise<RotationResultDto> {
    const immediately = body?.immediately ?? false;
    const result = await this.keys.rotate({ immediately });
    await this.audit.record({
      action: 'signing-key.rotated',
      outcome: 'success',
      actor,
      credential: { type: 'signing_key', id: result.current },
      details: { ...result, ...(immediately && { immediately }) },
    });
    return result;
  }

  @Post(':kid/retire')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'retireSigningKey',
    summary: 'Retire one key at once (compromised): it leaves the JWKS and every verifier refuses the tokens it signed',
    description:
      'A current key: the next key signs from now on (an immediate rotation) and a new next key is created. A next key: a new next key is created. A previous key: only retired. 404 for an unknown kid, 409 for a key already retired.',
  })
  @ApiParam({ name: 'kid', description: 'The key id (RFC 7638 thumbprint, as in the JWKS)' })
  @ApiOkResponse({ type: RetirementResultDto })
  @ApiConflictResponse({ description: 'Already retired, or another change won the race (problem+json)' })
  async retire(@Param('kid', SigningKeyIdPipe) kid: string, @Actor() actor: AuditActor): Promise<RetirementResultDto> {
    const result = await this.keys.retire(kid);
    await this.audit.record({
      action: 'signing-key.retired',
      outcome: 'success',
      actor,
      credential: { type: 'signing_key', id: kid },
      details: { ...result },
    });
    return result;
  }
}
