import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
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
import { MintsCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { ListUsersQueryDto } from './dto/list-users.query.js';
import { SetUserRolesDto } from './dto/set-user-roles.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserDto } from './dto/user.response.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: 'List people and service accounts' })
  @ApiOkResponse({ type: [UserDto] })
  list(@Query() query: ListUsersQueryDto): Promise<UserDto[]> {
    return this.users.list(query);
  }

  @Post()
  @MintsCredentials({ whenBodyHas: ['password'] })
  @ApiOperation({
    operationId: 'createUser',
    summary: 'Create a person (with a password) or a service account (without)',
  })
  @ApiCreatedResponse({ type: UserDto })
  create(@Body() body: CreateUserDto, @Actor() actor: AuditActor): Promise<UserDto> {
    return this.users.create(body, actor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'Get a user' })
  @ApiOkResponse({ type: UserDto })
  get(@Param('id', UuidPipe) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @MintsCredentials({ whenBodyHas: ['password'] })
  @ApiOperation({ operationId: 'updateUser', summary: 'Change email, name, password, roles; disable or enable' })
  @ApiOkResponse({ type: UserDto })
  update(@Param('id', UuidPipe) id: string, @Body() body: UpdateUserDto, @Actor() actor: AuditActor): Promise<UserDto> {
    return this.users.update(id, body, actor);
  }

  @Put(':id/roles')
  @ApiOperation({
    operationId: 'setUserRoles',
    summary: 'Replace the user’s roles; their sessions and PATs follow at once',
  })
  @ApiOkResponse({ type: UserDto })
  setRoles(
    @Param('id', UuidPipe) id: string,
    @Body() body: SetUserRolesDto,
    @Actor() actor: AuditActor,
  ): Promise<UserDto> {
    return this.users.setRoles(id, body.roles, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteUser', summary: 'Delete the user with their sessions and PATs' })
  @ApiNoContentResponse()
  async remove(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.users.remove(id, actor);
  }
}
