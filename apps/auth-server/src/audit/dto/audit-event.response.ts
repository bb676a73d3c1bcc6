import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEventEntity } from '../audit-event.entity.js';

export class AuditEventDto {
  @ApiProperty() id: number;
  @ApiProperty() occurredAt: string;
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome: string;
  @ApiProperty({
    description: 'Who acted: a client, a user, a consumer, or anonymous (id null)',
    type: 'object',
    required: ['type', 'id'],
    properties: {
      type: { type: 'string', example: 'client' },
      id: { type: 'string', nullable: true, example: 'service-a' },
    },
  })
  actor: { type: string; id: string | null };
  @ApiPropertyOptional({
    description: 'The credential concerned (never its secret)',
    type: 'object',
    nullable: true,
    required: ['type', 'id'],
    properties: { type: { type: 'string', example: 'api_key' }, id: { type: 'string' } },
  })
  credential: { type: string; id: string } | null;
  @ApiPropertyOptional({ type: String, nullable: true }) address: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) reason: string | null;
  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Action-specific details',
  })
  details: Record<string, unknown> | null;

  static from(entity: AuditEventEntity): AuditEventDto {
    return {
      id: entity.id,
      occurredAt: entity.occurredAt.toISOString(),
      action: entity.action,
      outcome: entity.outcome,
      actor: { type: entity.actorType, id: entity.actorId },
      credential:
        entity.credentialType && entity.credentialId ? { type: entity.credentialType, id: entity.credentialId } : null,
      address: entity.address,
      reason: entity.reason,
      details: entity.details as Record<string, unknown> | null,
    };
  }
}
