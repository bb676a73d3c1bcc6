import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BEARER_SCHEME, ProblemException } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal } from '@tollgate/verifier/nest';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { PermissionsService } from '../roles/permissions.service.js';
import { MeDto } from './dto/me.response.js';
import { UsersService } from './users.service.js';

@ApiTags('me')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@Controller('api/me')
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getMe',
    summary: 'The signed-in user (session, PAT or token exchanged for one) and the scopes they hold per resource',
  })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    if (!principal.userId)
      throw new ProblemException(
        403,
        'This route describes a user; the credential belongs to an M2M client or an API consumer',
        { code: 'user_required' },
      );
    const [user, permissions] = await Promise.all([
      this.users.get(principal.userId),
      this.permissions.forUser(principal.userId),
    ]);
    return { user, permissions: permissions.entries() };
  }
}
