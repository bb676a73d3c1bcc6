import { ApiProperty } from '@nestjs/swagger';
import { PatDto } from './pat.response.js';

export class CreatedPatDto extends PatDto {
  @ApiProperty({ example: 'tgp_…', description: 'The token. Shown only in this response: store it now.' })
  token: string;
}
