import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Each API key names the rate-limit bucket it takes from, and a rolled key keeps its predecessor's,
 * so rolling does not double the limit during the overlap (issue 11). Existing keys get their own
 * bucket; a key already rolled shares its predecessor's.
 */
export class ApiKeyRateLimitBuckets1764611000000 implements MigrationInterface {
  name = 'ApiKeyRateLimitBuckets1764611000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columns(queryRunner);
    await queryRunner.addColumn('api_keys', new TableColumn(c.varchar('rateLimitBucket', 36, true)));
    await queryRunner.query(`UPDATE "api_keys" SET "rateLimitBucket" = COALESCE("rolledFromId", "id")`);
    await queryRunner.changeColumn('api_keys', 'rateLimitBucket', new TableColumn(c.varchar('rateLimitBucket', 36)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_keys', 'rateLimitBucket');
  }
}
