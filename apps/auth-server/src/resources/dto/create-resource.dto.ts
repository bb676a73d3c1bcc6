import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsResourceIndicator } from '../../common/is-resource-indicator.validator.js';
import { SCOPE_TOKEN } from '../../common/scope.js';
import { TOKEN_BINDINGS, type TokenBinding } from '../../common/token-binding.js';

export class CreateResourceDto {
  @ApiProperty({
    example: 'https://crm.tollgate.local',
    description: 'RFC 8707 resource indicator: the `aud` of tokens for this API',
  })
  @IsResourceIndicator()
  indicator: string;

  @ApiProperty({ example: 'CRM API' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ example: ['contacts:read', 'contacts:write'] })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(SCOPE_TOKEN, {
    each: true,
    message: 'each scope must be 1–128 characters without spaces, quotes or backslashes (RFC 6749 §3.3)',
  })
  scopes: string[];

  @ApiPropertyOptional({
    example: 900,
    description: `Access-token lifetime in seconds (60–${MAX_ACCESS_TOKEN_LIFETIME_SECONDS}); verifiers refuse longer-lived tokens`,
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(MAX_ACCESS_TOKEN_LIFETIME_SECONDS)
  accessTokenTtl?: number;

  @ApiPropertyOptional({
    enum: TOKEN_BINDINGS,
    default: 'none',
    description: 'dpop: tokens for this API are only issued bound to a DPoP key (RFC 9449), never as bearer tokens',
  })
  @IsOptional()
  @IsIn(TOKEN_BINDINGS)
  requiredBinding?: TokenBinding;
}
