import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ApiKeyUsageDto {
  @ApiProperty() keyId: string;
  @ApiProperty({
    description: 'Per UTC day: counts by status class',
    type: 'array',
    items: {
      type: 'object',
      required: ['day', 'counts', 'total'],
      properties: {
        day: { type: 'string', format: 'date', example: '2026-12-04' },
        counts: { type: 'object', additionalProperties: { type: 'integer' }, example: { '2xx': 41, '4xx': 2 } },
        total: { type: 'integer', example: 43 },
      },
    },
  })
  days: {
    day: string;
    counts: Record<string, number>;
    total: number;
  }[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, example: { '2xx': 41, '4xx': 2 } })
  totals: Record<string, number>;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) lastUsedAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastUsedAddress: string | null;
}
