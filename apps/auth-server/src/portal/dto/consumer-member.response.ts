import { ApiProperty } from '@nestjs/swagger';

export class ConsumerMemberDto {
  @ApiProperty() userId: string;
  @ApiProperty() email: string;
  @ApiProperty() displayName: string;
  @ApiProperty() invitedAt: string;
}
