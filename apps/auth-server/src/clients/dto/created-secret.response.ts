import { ApiProperty } from '@nestjs/swagger';
import { ClientSecretDto } from './client-secret.response.js';

export class CreatedSecretDto extends ClientSecretDto {
  @ApiProperty({ description: 'The new secret. Shown only in this response: store it now.' })
  clientSecret: string;
}
