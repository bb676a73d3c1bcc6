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
import { MintsCredentials } from '../common/allowed-credentials.js';
import { ApiManagementErrors } from '../common/api-management-errors.decorator.js';
import { ClientIdPipe, UuidPipe } from '../common/id.pipes.js';
import { ClientsService } from './clients.service.js';
import { ClientDto } from './dto/client.response.js';
import { CreateClientDto } from './dto/create-client.dto.js';
import { CreatedClientDto } from './dto/created-client.response.js';
import { CreatedSecretDto } from './dto/created-secret.response.js';
import { RotateSecretDto } from './dto/rotate-secret.dto.js';
import { UpdateClientDto } from './dto/update-client.dto.js';

@ApiTags('clients')
@ApiBearerAuth(BEARER_SCHEME)
@ApiManagementErrors()
@RequireScopes(MANAGEMENT_SCOPES.admin)
@Controller('api/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @ApiOperation({ operationId: 'listClients', summary: 'List M2M clients and devices' })
  @ApiOkResponse({ type: [ClientDto] })
  list(): Promise<ClientDto[]> {
    return this.clients.list();
  }

  @Post()
  @MintsCredentials()
  @ApiOperation({ operationId: 'createClient', summary: 'Register a client; its secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedClientDto })
  create(@Body() body: CreateClientDto, @Actor() actor: AuditActor): Promise<CreatedClientDto> {
    return this.clients.create(body, actor);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getClient', summary: 'Get an OAuth client' })
  @ApiOkResponse({ type: ClientDto })
  get(@Param('id', ClientIdPipe) id: string): Promise<ClientDto> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @MintsCredentials({ whenBodyHas: ['jwks'] })
  @ApiOperation({ operationId: 'updateClient', summary: 'Rename, disable/enable, replace grants or keys' })
  @ApiOkResponse({ type: ClientDto })
  update(
    @Param('id', ClientIdPipe) id: string,
    @Body() body: UpdateClientDto,
    @Actor() actor: AuditActor,
  ): Promise<ClientDto> {
    return this.clients.update(id, body, actor);
  }

  @Delete(':id')
  @ApiOperation({
    operationId: 'deleteClient',
    summary: 'Delete a client; its secrets stop working and its tokens are revoked',
  })
  @HttpCode(204)
  @ApiNoContentResponse()
  async remove(@Param('id', ClientIdPipe) id: string, @Actor() actor: AuditActor): Promise<void> {
    await this.clients.remove(id, actor);
  }

  @Post(':id/secrets')
  @MintsCredentials()
  @ApiOperation({
    operationId: 'rotateClientSecret',
    summary: 'Rotate: add a secret, optionally expiring the others after an overlap',
  })
  @ApiCreatedResponse({ type: CreatedSecretDto })
  rotateSecret(
    @Param('id', ClientIdPipe) id: string,
    @Body() body: RotateSecretDto,
    @Actor() actor: AuditActor,
  ): Promise<CreatedSecretDto> {
    return this.clients.rotateSecret(id, body, actor);
  }

  @Delete(':id/secrets/:secretId')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeClientSecret', summary: 'Revoke one secret at once' })
  @ApiNoContentResponse()
  async revokeSecret(
    @Param('id', ClientIdPipe) id: string,
    @Param('secretId', UuidPipe) secretId: string,
    @Actor() actor: AuditActor,
  ): Promise<void> {
    await this.clients.revokeSecret(id, secretId, actor);
  }

  @Post(':id/revoke-tokens')
  @HttpCode(200)
  @ApiOperation({ operationId: 'revokeClientTokens', summary: 'Refuse every token issued to this client until now' })
  @ApiOkResponse({ type: ClientDto })
  revokeTokens(@Param('id', ClientIdPipe) id: string, @Actor() actor: AuditActor): Promise<ClientDto> {
    return this.clients.revokeAllTokens(id, actor);
  }
}
