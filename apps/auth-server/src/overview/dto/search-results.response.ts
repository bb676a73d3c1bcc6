import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OwnerDto } from './overview.response.js';

export class SearchHitDto {
  @ApiProperty({ enum: ['client', 'consumer', 'api_key', 'user', 'pat'] }) kind: string;
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Its name' }) title: string;
  @ApiProperty({ description: 'What tells it apart: an email, a client id, a visible prefix' }) detail: string;
  @ApiPropertyOptional({ type: OwnerDto, description: 'Whose it is (keys, PATs)' }) owner?: OwnerDto;
}

export class SearchResultsDto {
  @ApiProperty({ type: [SearchHitDto], description: 'At most 5 of each kind' }) hits: SearchHitDto[];
}
