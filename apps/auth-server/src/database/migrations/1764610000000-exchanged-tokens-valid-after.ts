import { columns } from '@tollgate/persistence';
import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/** users.exchangedTokensValidAfter: JWTs exchanged for a user's PATs are dated after the user's last change (issue 11). */
export class ExchangedTokensValidAfter1764610000000 implements MigrationInterface {
  name = 'ExchangedTokensValidAfter1764610000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'users',
      new TableColumn(columns(queryRunner).timestamp('exchangedTokensValidAfter', true)),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'exchangedTokensValidAfter');
  }
}
