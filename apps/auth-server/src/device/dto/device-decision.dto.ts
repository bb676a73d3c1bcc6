import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';
import { SCOPE_TOKEN } from '../../common/scope.js';

/** The user code a person typed (or followed a link with): case and dashes do not matter. */
export class UserCodeDto {
  @ApiProperty({ example: 'BCDF-GHJK', description: 'The code the CLI shows' })
  @IsString()
  @Length(1, 32)
  userCode: string;
}

export class ApproveDeviceDto extends UserCodeDto {
  @ApiPropertyOptional({
    example: ['admin'],
    description: 'Approve only these of the requested scopes (all of them when absent)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(SCOPE_TOKEN, { each: true, message: 'each scope must be 1–128 characters without spaces' })
  scopes?: string[];

  @ApiPropertyOptional({
    example: 'home-hub',
    description: 'Pairing only: the device client that may command the new device (its hub)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  controller?: string;
}
