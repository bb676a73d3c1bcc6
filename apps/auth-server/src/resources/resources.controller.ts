import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
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
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { UuidPipe } from '../common/id.pipes.js';
import { CreateResourceDto } from './dto/create-resource.dto.js';
import { ResourceDto } from './dto/resource.response.js';
import { UpdateResourceDto } from './dto/update-resource.dto.js';
import { ResourcesService } from './resources.service.js';

@ApiTags('resources')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  @Get()
  @ApiOperation({ operationId: 'listResources', summary: 'List resources (APIs protected by Tollgate)' })
  @ApiOkResponse({ type: [ResourceDto] })
  async list(): Promise<ResourceDto[]> {
    return (await this.resources.list()).map(ResourceDto.from);
  }

  @Post()
  @ApiOperation({ operationId: 'createResource', summary: 'Register a resource' })
  @ApiCreatedResponse({ type: ResourceDto })
  async create(@Body() body: CreateResourceDto, @Actor() actor: AuditActor): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.create(body, actor));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getResource', summary: 'Get a resource' })
  @ApiOkResponse({ type: ResourceDto })
  async get(@Param('id', UuidPipe) id: string): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.get(id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateResource', summary: 'Rename a resource or change its scopes or token lifetime' })
  @ApiConflictResponse({ description: "The management API's scopes are fixed" })
  @ApiOkResponse({ type: ResourceDto })
  async update(
    @Param('id', UuidPipe) id: string,
    @Body() body: UpdateResourceDto,
    @Actor() actor: AuditActor,
  ): Promise<ResourceDto> {
    return ResourceDto.from(await this.resources.update(id, body, actor));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'deleteResource', summary: 'Delete a resource' })
  @ApiConflictResponse({ description: 'The management API resource cannot be deleted' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@Param('id', UuidPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.resources.remove(id, actor);
  }
}
