import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ApiKeyUsageDto {
  @ApiProperty() keyId: string;
  @ApiProperty({ description: 'Per UTC day: counts by status class' }) days: {
    day: string;
    counts: Record<string, number>;
    total: number;
  }[];
  @ApiProperty() totals: Record<string, number>;
  @ApiPropertyOptional() lastUsedAt: string | null;
  @ApiPropertyOptional() lastUsedAddress: string | null;
}
