import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ClientSecretDto {
  @ApiProperty() id: string;
  @ApiProperty({
    example: 'tgs_Ab3x',
    description:
      'A Tollgate-format secret’s prefix and first characters, to recognise it; `(operator-chosen)` for a secret chosen in another format, `bootstrap` for BOOTSTRAP_ADMIN_CLIENT_SECRET',
  })
  displayPrefix: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) expiresAt: string | null;
  @ApiProperty() active: boolean;
}
