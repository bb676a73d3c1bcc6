import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform';
import { RequireScopes } from '@tollgate/verifier';
import { AuditService } from '../audit/audit.service.js';
import { Actor, type AuditActor } from '../common/actor.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { RotateSigningKeysDto, RotationResultDto, SigningKeyDto } from './dto/signing-key.dto.js';
import { SigningKeysService } from './signing-keys.service.js';

@ApiTags('signing-keys')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes('admin')
@Controller('api/signing-keys')
export class SigningKeysController {
  constructor(
    private readonly keys: SigningKeysService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List signing keys and their states (never the private keys)' })
  @ApiOkResponse({ type: [SigningKeyDto] })
  async list(): Promise<SigningKeyDto[]> {
    return (await this.keys.list()).map(SigningKeyDto.from);
  }

  @Post('rotate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate: next → current → previous; tokens signed before keep verifying until they expire',
    description: 'Refused (409, Retry-After) while the next key is younger than the JWKS cache lifetime, unless `immediately` is true.',
  })
  @ApiOkResponse({ type: RotationResultDto })
  async rotate(@Body() body: RotateSigningKeysDto, @Actor() actor: AuditActor): Promise<RotationResultDto> {
    const immediately = body?.immediately ?? false;
    const result = await this.keys.rotate({ immediately });
    await this.audit.record({ action: 'signing-key.rotated', outcome: 'success', actor, credential: { type: 'signing_key', id: result.current }, details: { ...result, ...(immediately && { immediately }) } });
    return result;
  }
}
