import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyDto } from './api-key.response.js';

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key. Shown only in this response: store it now.' })
  key: string;
}
