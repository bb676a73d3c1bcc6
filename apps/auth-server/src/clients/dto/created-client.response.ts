import { ApiPropertyOptional } from '@nestjs/swagger';
import { ClientDto } from './client.response.js';

export class CreatedClientDto extends ClientDto {
  @ApiPropertyOptional({ description: 'The client secret. Shown only in this response: store it now.' })
  clientSecret?: string;
}
