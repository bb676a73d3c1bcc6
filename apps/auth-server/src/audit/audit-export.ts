import { Readable } from 'node:stream';
import type { AuditEventEntity } from './audit-event.entity.js';
import type { AuditFilter, AuditRepository } from './audit.repository.js';
import { AuditEventDto } from './dto/audit-event.response.js';

export type AuditExportFormat = 'jsonl' | 'csv';

/** Events read from the database at a time: memory stays flat whatever the export's size. */
const BATCH = 1_000;

const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'action',
  'outcome',
  'actorType',
  'actorId',
  'credentialType',
  'credentialId',
  'address',
  'reason',
  'details',
] as const;

/**
 * RFC 4180 field, made safe to open in a spreadsheet: a value that starts like a formula (`=`, `+`,
 * `-`, `@`, tab or carriage return: OWASP's CSV injection list) gets a leading `'`, since actor ids,
 * reasons and addresses can come from callers.
 */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(event: AuditEventDto): string {
  const values: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    id: event.id,
    occurredAt: event.occurredAt,
    action: event.action,
    outcome: event.outcome,
    actorType: event.actor.type,
    actorId: event.actor.id,
    credentialType: event.credential?.type ?? null,
    credentialId: event.credential?.id ?? null,
    address: event.address,
    reason: event.reason,
    details: event.details ? JSON.stringify(event.details) : null,
  };
  return `${CSV_COLUMNS.map((column) => csvField(values[column])).join(',')}\r\n`;
}

/**
 * The audit events a filter selects, oldest first, as JSON Lines (one AuditEventDto per line) or
 * CSV (RFC 4180, with a header line), read in batches by id as the client reads: a slow reader
 * holds one batch, never the log. The export stops at the newest event when it starts, so it ends
 * even while events keep being written. The first batch is read before anything is sent, so a
 * database that is down answers 503; one that fails later cuts the connection, never a clean end.
 */
export async function auditExport(
  events: AuditRepository,
  filter: AuditFilter,
  format: AuditExportFormat,
): Promise<Readable> {
  const upToId = await events.newestId();
  const first = await events.oldest(filter, 0, upToId, BATCH);
  const text = (batch: AuditEventEntity[]) =>
    // One chunk per batch: a write per line would cost more than the query.
    batch
      .map((entity) => {
        const event = AuditEventDto.from(entity);
        return format === 'csv' ? csvLine(event) : `${JSON.stringify(event)}\n`;
      })
      .join('');
  async function* chunks(): AsyncGenerator<string> {
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
    let batch = first;
    while (batch.length > 0) {
      yield text(batch);
      if (batch.length < BATCH) return;
      batch = await events.oldest(filter, batch[batch.length - 1].id, upToId, BATCH);
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
