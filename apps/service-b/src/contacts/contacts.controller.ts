import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { BEARER_SCHEME } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';
import { CurrentPrincipal, RequireScopes } from '@tollgate/verifier/nest';
import type { FastifyReply } from 'fastify';
import { ApiProblemResponse } from '../common/api-problem-response.decorator.js';
import { ContactsService } from './contacts.service.js';
import { ContactListResponse, ContactResponse } from './dto/contact.response.js';
import { CreateContactDto } from './dto/create-contact.dto.js';
import { ListContactsQuery } from './dto/list-contacts.query.js';
import { UpdateContactDto } from './dto/update-contact.dto.js';

// Ids are stored lower-case; RFC 9562 §4 lets clients send either case.
const ContactId = () => Param('id', new ParseUUIDPipe(), { transform: (id: string) => id.toLowerCase() });
const ApiContactId = () => ApiParam({ name: 'id', format: 'uuid' });

@ApiTags('contacts')
@ApiBearerAuth(BEARER_SCHEME)
@ApiProblemResponse(401, 'No credential, or one that is invalid, expired or revoked (RFC 6750 §3.1 `invalid_token`)')
@ApiProblemResponse(403, 'The credential lacks the required scope (RFC 6750 §3.1 `insufficient_scope`)')
@Controller('contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @RequireScopes('contacts:read')
  @ApiOperation({
    operationId: 'listContacts',
    summary: 'List contacts',
    description: 'Oldest first (creation time, then id); filter with `q`.',
  })
  @ApiOkResponse({ type: ContactListResponse, description: 'One page of contacts and the number matching' })
  @ApiProblemResponse(400, 'Invalid `limit`, `offset` or `q`, or an unknown query parameter')
  async list(@Query() query: ListContactsQuery): Promise<ContactListResponse> {
    const { items, total } = await this.contacts.list(query);
    return {
      items: items.map((contact) => ContactResponse.from(contact)),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  @Post()
  @RequireScopes('contacts:write')
  @ApiOperation({ operationId: 'createContact', summary: 'Create a contact' })
  @ApiCreatedResponse({
    type: ContactResponse,
    description: 'The new contact',
    headers: { Location: { description: 'Path of the new contact', schema: { type: 'string' } } },
  })
  @ApiProblemResponse(400, 'Invalid or unknown fields, or a body that is not a JSON object')
  @ApiProblemResponse(409, 'Another contact has this email (compared case-insensitively)')
  @ApiProblemResponse(413, 'The body is too large')
  @ApiProblemResponse(415, 'The body is in a media type the API does not read (send application/json)')
  async create(
    @Body() body: CreateContactDto,
    @CurrentPrincipal() principal: Principal | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ContactResponse> {
    const contact = await this.contacts.create(body, principal);
    void reply.header('Location', `/contacts/${contact.id}`);
    return ContactResponse.from(contact);
  }

  @Get(':id')
  @RequireScopes('contacts:read')
  @ApiOperation({ operationId: 'getContact', summary: 'Get a contact' })
  @ApiContactId()
  @ApiOkResponse({ type: ContactResponse, description: 'The contact' })
  @ApiProblemResponse(400, 'The id is not a UUID')
  @ApiProblemResponse(404, 'No contact has this id')
  async get(@ContactId() id: string): Promise<ContactResponse> {
    return ContactResponse.from(await this.contacts.get(id));
  }

  @Patch(':id')
  @RequireScopes('contacts:write')
  @ApiOperation({
    operationId: 'updateContact',
    summary: 'Change a contact',
    description: 'Only the fields sent change (at least one); `null` clears an optional field.',
  })
  @ApiContactId()
  @ApiOkResponse({ type: ContactResponse, description: 'The contact as changed' })
  @ApiProblemResponse(400, 'The id is not a UUID, no field was sent, or a field is invalid or unknown')
  @ApiProblemResponse(404, 'No contact has this id')
  @ApiProblemResponse(409, 'Another contact has this email (compared case-insensitively)')
  @ApiProblemResponse(413, 'The body is too large')
  @ApiProblemResponse(415, 'The body is in a media type the API does not read (send application/json)')
  async update(@ContactId() id: string, @Body() body: UpdateContactDto): Promise<ContactResponse> {
    return ContactResponse.from(await this.contacts.update(id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('contacts:write')
  @ApiOperation({ operationId: 'deleteContact', summary: 'Delete a contact' })
  @ApiContactId()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblemResponse(400, 'The id is not a UUID')
  @ApiProblemResponse(404, 'No contact has this id')
  async remove(@ContactId() id: string): Promise<void> {
    await this.contacts.remove(id);
  }
}
