import type { MigrationInterface, QueryRunner } from 'typeorm';

// The label newClientSecret gives an operator-chosen secret now (clients.service.ts).
const OPERATOR_CHOSEN_SECRET_LABEL = '(operator-chosen)';

/**
 * Client secrets chosen by an operator in a format other than Tollgate's were listed by their first
 * four characters and "…" (issue 11): they get the label instead. Tollgate-format prefixes
 * (`tgs_Ab3x`) and the bootstrap admin's (`bootstrap`) never end in "…". The characters are gone,
 * so there is nothing to restore on the way down.
 */
export class OperatorSecretLabels1764680000000 implements MigrationInterface {
  name = 'OperatorSecretLabels1764680000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.manager
      .createQueryBuilder()
      .update('client_secrets')
      .set({ displayPrefix: OPERATOR_CHOSEN_SECRET_LABEL })
      .where('"displayPrefix" LIKE :shown', { shown: '%…' })
      .execute();
  }

  async down(): Promise<void> {}
}
