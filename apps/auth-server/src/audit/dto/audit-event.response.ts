import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AuditEventEntity } from '../audit-event.entity.js';

export class AuditActorDto {
  @ApiProperty({ enum: ['client', 'user', 'system', 'anonymous'], example: 'client' }) type: string;
  @ApiProperty({ type: String, nullable: true, example: 'service-a', description: 'null for anonymous callers' })
  id: string | null;
}

export class AuditCredentialDto {
  @ApiProperty({ example: 'api_key' }) type: string;
  @ApiProperty({ example: '3f0c1c9e-6d0e-4f6a-9a59-1f0b8f3d2a10' }) id: string;
}

export class AuditEventDto {
  @ApiProperty() id: number;
  @ApiProperty() occurredAt: string;
  @ApiProperty() action: string;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome: string;
  @ApiProperty({ type: () => AuditActorDto, description: 'Who acted' })
  actor: AuditActorDto;
  @ApiPropertyOptional({
    type: () => AuditCredentialDto,
    nullable: true,
    description: 'The credential concerned (never its secret)',
  })
  credential: AuditCredentialDto | null;
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
