import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only tables, whose ids were PostgreSQL `integer` (2^31 − 1 rows ever written). */
const TABLES = ['audit_events', 'revocation_events'];

/**
 * Event ids become 64-bit on PostgreSQL (see SerialPrimaryColumn); SQLite's are already. The
 * sequence is widened with the column, or it would still stop at 2^31 − 1. Rewrites both tables
 * under an exclusive lock: on a large audit log, run it in a maintenance window.
 */
export class BigintEventIds1764500000000 implements MigrationInterface {
  name = 'BigintEventIds1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await widen(queryRunner, 'bigint');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await widen(queryRunner, 'integer');
  }
}

async function widen(queryRunner: QueryRunner, type: 'bigint' | 'integer'): Promise<void> {
  if (queryRunner.connection.driver.options.type !== 'postgres') return;
  for (const table of TABLES) {
    const [{ sequence }] = await queryRunner.query(`SELECT pg_get_serial_sequence($1, 'id') AS sequence`, [table]);
    await queryRunner.query(`ALTER TABLE "${table}" ALTER COLUMN "id" TYPE ${type}`);
    await queryRunner.query(`ALTER SEQUENCE ${sequence} AS ${type}`);
  }
}
