import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { EVENT_FILTER } from '../webhook-events.js';

const EVENTS_DESCRIPTION =
  'Audit actions to send: exact (`api-key.revoked`), a prefix (`api-key.*`, `client.auth.*`) or `*` for every event';

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/tollgate',
    description: 'Where events are POSTed (http or https)',
  })
  @IsString()
  @Length(1, 2048)
  url: string;

  @ApiProperty({ example: ['api-key.*', 'pat.expiring', 'client.auth.failed'], description: EVENTS_DESCRIPTION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(EVENT_FILTER, { each: true, message: 'each event must be an audit action, a prefix ending in .*, or *' })
  @Length(1, 64, { each: true })
  events: string[];

  @ApiPropertyOptional({ example: 'SIEM ingestion' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  url?: string;

  @ApiPropertyOptional({ description: EVENTS_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(EVENT_FILTER, { each: true, message: 'each event must be an audit action, a prefix ending in .*, or *' })
  @Length(1, 64, { each: true })
  events?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;

  @ApiPropertyOptional({ description: 'A disabled endpoint gets nothing; its pending deliveries fail' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class RotateWebhookSecretDto {
  @ApiPropertyOptional({
    default: 1440,
    description: 'Minutes the current secret keeps signing beside the new one (0–43200): time to deploy the new one',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(43_200)
  expireCurrentInMinutes?: number;
}

export class WebhookDto {
  @ApiProperty() id: string;
  @ApiProperty() url: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [String] }) events: string[];
  @ApiProperty() disabled: boolean;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'Until when the previous secret signs too (a rotation in progress)',
  })
  previousSecretExpiresAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ description: 'The signing secret (Standard Webhooks `whsec_…`), shown this once' })
  secret: string;
}

export class WebhookSecretDto {
  @ApiProperty({ description: 'The new signing secret, shown this once' }) secret: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) previousSecretExpiresAt: string | null;
}

export class WebhookDeliveryDto {
  @ApiProperty({ description: 'Also the webhook-id header of every attempt' }) id: string;
  @ApiProperty() eventType: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time', description: 'When pending' })
  nextAttemptAt: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) lastStatusCode: number | null;
  @ApiPropertyOptional({ type: String, nullable: true }) lastError: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: String, nullable: true, format: 'date-time' }) deliveredAt: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The message, as sent' })
  payload: Record<string, unknown>;
}

export class WebhookDeliveriesQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'])
  status?: 'pending' | 'succeeded' | 'failed';

  @ApiPropertyOptional({ description: 'How many of the newest, 1–200 (default 50)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}
