import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEventEntity } from '../audit-event.entity.js';

export class AuditEventDto {
  @ApiProperty() id: number;
  @ApiProperty() occurredAt: string;
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome: string;
  @ApiProperty() actor: { type: string; id: string | null };
  @ApiPropertyOptional() credential: { type: string; id: string } | null;
  @ApiPropertyOptional() address: string | null;
  @ApiPropertyOptional() reason: string | null;
  @ApiPropertyOptional() details: Record<string, unknown> | null;

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
