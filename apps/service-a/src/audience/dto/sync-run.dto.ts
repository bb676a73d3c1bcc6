import { ApiProperty } from '@nestjs/swagger';
import type { SyncRunEntity } from '../sync-run.entity.js';

/** The outcome of one sync. */
export class SyncRunDto {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ enum: ['manual', 'schedule'] })
  trigger: 'manual' | 'schedule';

  @ApiProperty({ enum: ['ok', 'failed'] })
  status: 'ok' | 'failed';

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ format: 'date-time' })
  finishedAt: string;

  @ApiProperty({ description: 'Contacts read from the CRM' })
  total: number;

  @ApiProperty()
  added: number;

  @ApiProperty()
  updated: number;

  @ApiProperty()
  removed: number;

  @ApiProperty({ type: String, nullable: true, example: 'auth_server_unavailable' })
  errorCode: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'The authorization server at http://127.0.0.1:7400 is unreachable (connect ECONNREFUSED 127.0.0.1:7400)',
  })
  error: string | null;

  static from(run: SyncRunEntity): SyncRunDto {
    return {
      id: run.id,
      trigger: run.trigger,
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt.toISOString(),
      total: run.total,
      added: run.added,
      updated: run.updated,
      removed: run.removed,
      errorCode: run.errorCode,
      error: run.error,
    };
  }
}
