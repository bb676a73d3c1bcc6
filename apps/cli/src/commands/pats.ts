import { expectAnswer } from '@tollgate/api-client';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { table } from '../output.js';
import { integer, list } from './arguments.js';

/** `tollgate pat …`: the signed-in person's own personal access tokens (account settings). */
export function registerPatCommands(program: Command, context: () => CliContext): void {
  const pat = program.command('pat').description('Your personal access tokens');
  pat
    .command('create')
    .description('Create a token for a script; it is shown this once')
    .requiredOption('--name <name>', 'what it is for, e.g. "deploy script"')
    .requiredOption('--scope <scopes>', 'scopes, comma- or space-separated (within what you hold)', list)
    .option('--resource <url...>', 'restrict it to these APIs')
    .option('--expires-in-days <days>', 'lifetime, within the policy', integer, 30)
    .action(async (options: { name: string; scope: string[]; resource?: string[]; expiresInDays: number }) => {
      const ctx = context();
      const created = await expectAnswer(
        ctx.signedInApi().POST('/api/me/tokens', {
          body: {
            name: options.name,
            scopes: options.scope,
            expiresInDays: options.expiresInDays,
            ...(options.resource && { resource: options.resource }),
          },
        }),
        201,
      );
      ctx.output.result(created, [
        `✓ Token ${created.id} "${created.name}" (${created.displayPrefix}…), expires ${created.expiresAt ?? 'never'}`,
        '',
        `  ${created.token}`,
        '',
        '  Copy it now: it is shown only this once (Tollgate stores its hash).',
      ]);
    });
  pat
    .command('list')
    .description('List your tokens (never their secret)')
    .action(async () => {
      const ctx = context();
      const rows = await expectAnswer(ctx.signedInApi().GET('/api/me/tokens'), 200);
      ctx.output.result(
        rows,
        table(rows, {
          id: 'ID',
          displayPrefix: 'PREFIX',
          name: 'NAME',
          scopes: 'SCOPES',
          status: 'STATUS',
          expiresAt: 'EXPIRES',
          lastUsedAt: 'LAST USED',
        }),
      );
    });
  pat
    .command('revoke')
    .description('Revoke one of your tokens at once')
    .argument('<id>', 'the token')
    .action(async (id: string) => {
      const ctx = context();
      await expectAnswer(ctx.signedInApi().DELETE('/api/me/tokens/{id}', { params: { path: { id } } }), 204);
      ctx.output.result({ id, revoked: true }, `✓ Token ${id} revoked`);
    });
}
