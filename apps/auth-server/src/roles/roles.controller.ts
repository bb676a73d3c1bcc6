import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
import { CreateRoleDto } from './dto/create-role.dto.js';
import { RoleDto } from './dto/role.response.js';
import { UpdateRoleDto } from './dto/update-role.dto.js';
import { RolesService } from './roles.service.js';

@ApiTags('roles')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @ApiOperation({ operationId: 'listRoles', summary: 'List roles and the scopes they give per resource' })
  @ApiOkResponse({ type: [RoleDto] })
  list(): Promise<RoleDto[]> {
    return this.roles.list();
  }

  @Post()
  @ApiOperation({
    operationId: 'createRole',
    summary: 'Create a role (grants are validated against each resource’s scopes)',
  })
  @ApiCreatedResponse({ type: RoleDto })
  create(@Body() body: CreateRoleDto, @Actor() actor: AuditActor): Promise<RoleDto> {
    return this.roles.create(body, actor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getRole', summary: 'Get a role' })
  @ApiOkResponse({ type: RoleDto })
  get(@Param('id', UuidPipe) id: string): Promise<RoleDto> {
    return this.roles.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    operationId: 'updateRole',
    summary: 'Rename, describe or replace the grants; users and their PATs are affected at once',
  })
  @ApiOkResponse({ type: RoleDto })
  update(@Param('id', UuidPipe) id: string, @Body() body: UpdateRoleDto, @Actor() actor: AuditActor): Promise<RoleDto> {
    return this.roles.update(id, body, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteRole', summary: 'Delete a role; its users lose its scopes at once' })
  @ApiNoContentResponse()
  async remove(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.roles.remove(id, actor);
  }
}
