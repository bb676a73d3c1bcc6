import { expectAnswer } from '@tollgate/api-client';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { table } from '../output.js';
import { integer, list } from './arguments.js';

/** `tollgate clients …`: M2M clients (management API, scope admin). */
export function registerClientCommands(program: Command, context: () => CliContext): void {
  const clients = program.command('clients').description('M2M clients (client credentials)');
  clients
    .command('list')
    .description('List clients')
    .action(async () => {
      const ctx = context();
      const rows = await expectAnswer(ctx.signedInApi().GET('/api/clients'), 200);
      ctx.output.result(
        rows,
        table(
          rows.map((client) => ({
            ...client,
            grants: client.grants.map((grant) => `${grant.resource} ${grant.scopes.join(',')}`),
          })),
          { id: 'ID', name: 'NAME', kind: 'KIND', disabled: 'DISABLED', grants: 'GRANTS' },
        ),
      );
    });
  clients
    .command('create')
    .description('Register a client; its secret is shown this once')
    .requiredOption('--name <name>', 'what it is')
    .requiredOption('--resource <url>', 'the API it may get tokens for')
    .requiredOption('--scope <scopes>', 'scopes at that API, comma- or space-separated', list)
    .option('--id <id>', 'client id (generated when absent)')
    .option('--kind <kind>', 'service or device', 'service')
    .action(async (options: { name: string; resource: string; scope: string[]; id?: string; kind: string }) => {
      const ctx = context();
      const created = await expectAnswer(
        ctx.signedInApi().POST('/api/clients', {
          body: {
            name: options.name,
            kind: options.kind as 'service' | 'device',
            grants: [{ resource: options.resource, scopes: options.scope }],
            ...(options.id && { id: options.id }),
          },
        }),
        201,
      );
      ctx.output.result(created, [
        `✓ Client ${created.id} for ${options.resource}: ${options.scope.join(' ')}`,
        '',
        `  client_id:     ${created.id}`,
        `  client_secret: ${created.clientSecret ?? '(none: private_key_jwt)'}`,
        '',
        '  Copy the secret now: it is shown only this once.',
      ]);
    });
  clients
    .command('rotate-secret')
    .description('Add a new secret; the current ones keep working for the overlap')
    .argument('<id>', 'the client')
    .option('--overlap-minutes <minutes>', 'how long the current secrets keep working (0: stop now)', integer, 60)
    .action(async (id: string, options: { overlapMinutes: number }) => {
      const ctx = context();
      const rotated = await expectAnswer(
        ctx.signedInApi().POST('/api/clients/{id}/secrets', {
          params: { path: { id } },
          body: { expireCurrentInMinutes: options.overlapMinutes },
        }),
        201,
      );
      ctx.output.result(rotated, [
        `✓ New secret for ${id}; the others work for ${options.overlapMinutes} more minutes`,
        '',
        `  client_secret: ${rotated.clientSecret}`,
        '',
        '  Copy it now: it is shown only this once.',
      ]);
    });
  clients
    .command('disable')
    .description('Disable a client: it gets no token, and its tokens are refused everywhere')
    .argument('<id>', 'the client')
    .action(async (id: string) => {
      const ctx = context();
      const updated = await expectAnswer(
        ctx.signedInApi().PATCH('/api/clients/{id}', { params: { path: { id } }, body: { disabled: true } }),
        200,
      );
      ctx.output.result(updated, `✓ Client ${id} disabled`);
    });
}
