import { ApiProperty } from '@nestjs/swagger';

export class RecoveryCodesStatusDto {
  @ApiProperty({ example: 9, description: 'Codes not used yet' }) remaining: number;
  @ApiProperty({ example: 10 }) total: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) generatedAt: string | null;
}

export class RecoveryCodesDto {
  @ApiProperty({
    type: [String],
    example: ['7k2m-9xq4-h3fd-w8rt'],
    description: 'Ten new codes, each good for one sign-in; shown this once (the previous codes no longer work)',
  })
  codes: string[];
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
}
