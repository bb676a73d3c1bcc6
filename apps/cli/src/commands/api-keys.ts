import { expectAnswer } from '@tollgate/api-client';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { table } from '../output.js';
import { integer, list } from './arguments.js';

type Context = () => CliContext;

/** `tollgate consumers …` and `tollgate keys …`: API consumers and their keys (management API, scope admin). */
export function registerApiKeyCommands(program: Command, context: Context): void {
  const consumers = program.command('consumers').description('API consumers (the integrations API keys are issued to)');
  consumers
    .command('list')
    .description('List API consumers')
    .action(async () => {
      const ctx = context();
      const rows = await expectAnswer(ctx.signedInApi().GET('/api/consumers'), 200);
      ctx.output.result(rows, table(rows, { id: 'ID', name: 'NAME', contact: 'CONTACT', disabled: 'DISABLED' }));
    });
  consumers
    .command('create')
    .description('Register an API consumer')
    .requiredOption('--name <name>', 'who the keys are for, e.g. Zapflow')
    .requiredOption('--contact <email>', 'whom to tell about their keys')
    .option('--description <text>')
    .action(async (options: { name: string; contact: string; description?: string }) => {
      const ctx = context();
      const created = await expectAnswer(ctx.signedInApi().POST('/api/consumers', { body: options }), 201);
      ctx.output.result(created, `✓ Consumer ${created.name}: ${created.id}`);
    });

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('Issue an API key to a consumer; the key is shown this once')
    .requiredOption('--consumer <id>', 'the consumer (tollgate consumers list)')
    .requiredOption('--name <name>', 'what the key is for')
    .requiredOption('--resource <url>', 'the API it works at (RFC 8707 indicator)')
    .requiredOption('--scope <scopes>', 'scopes at that API, comma- or space-separated', list)
    .option('--env <environment>', 'live or test', 'live')
    .option('--expires-at <date>', 'ISO 8601 expiry')
    .action(
      async (options: {
        consumer: string;
        name: string;
        resource: string;
        scope: string[];
        env: string;
        expiresAt?: string;
      }) => {
        const ctx = context();
        const created = await expectAnswer(
          ctx.signedInApi().POST('/api/consumers/{id}/keys', {
            params: { path: { id: options.consumer } },
            body: {
              name: options.name,
              environment: options.env as 'live' | 'test',
              grants: [{ resource: options.resource, scopes: options.scope }],
              ...(options.expiresAt && { expiresAt: options.expiresAt }),
            },
          }),
          201,
        );
        ctx.output.result(created, [
          `✓ Key ${created.id} (${created.displayPrefix}…) for ${options.resource}: ${options.scope.join(' ')}`,
          '',
          `  ${created.key}`,
          '',
          '  Copy it now: it is shown only this once (Tollgate stores its hash).',
        ]);
      },
    );
  keys
    .command('list')
    .description('List a consumer’s keys (never their secret)')
    .requiredOption('--consumer <id>', 'the consumer')
    .action(async (options: { consumer: string }) => {
      const ctx = context();
      const rows = await expectAnswer(
        ctx.signedInApi().GET('/api/consumers/{id}/keys', { params: { path: { id: options.consumer } } }),
        200,
      );
      ctx.output.result(
        rows,
        table(rows, {
          id: 'ID',
          displayPrefix: 'PREFIX',
          name: 'NAME',
          environment: 'ENV',
          status: 'STATUS',
          expiresAt: 'EXPIRES',
          lastUsedAt: 'LAST USED',
        }),
      );
    });
  keys
    .command('roll')
    .description('Replace a key with a new one with the same settings; the old one works for the overlap')
    .argument('<id>', 'the key')
    .option('--overlap-minutes <minutes>', 'how long the old key keeps working (0: stops now)', integer, 60)
    .action(async (id: string, options: { overlapMinutes: number }) => {
      const ctx = context();
      const rolled = await expectAnswer(
        ctx.signedInApi().POST('/api/keys/{id}/roll', {
          params: { path: { id } },
          body: { expireCurrentInMinutes: options.overlapMinutes },
        }),
        201,
      );
      ctx.output.result(rolled, [
        `✓ Key ${id} rolled to ${rolled.id} (${rolled.displayPrefix}…); the old key works for ${options.overlapMinutes} more minutes`,
        '',
        `  ${rolled.key}`,
        '',
        '  Copy it now: it is shown only this once.',
      ]);
    });
  keys
    .command('revoke')
    .description('Revoke a key at once, everywhere')
    .argument('<id>', 'the key')
    .action(async (id: string) => {
      const ctx = context();
      await expectAnswer(ctx.signedInApi().DELETE('/api/keys/{id}', { params: { path: { id } } }), 204);
      ctx.output.result({ id, revoked: true }, `✓ Key ${id} revoked`);
    });
  keys
    .command('usage')
    .description('Requests per day and status class, and last use')
    .argument('<id>', 'the key')
    .option('--days <days>', 'how many days back', integer, 30)
    .action(async (id: string, options: { days: number }) => {
      const ctx = context();
      const usage = await expectAnswer(
        ctx.signedInApi().GET('/api/keys/{id}/usage', { params: { path: { id }, query: { days: options.days } } }),
        200,
      );
      const totals =
        Object.entries(usage.totals)
          .map(([status, count]) => `${status}: ${count}`)
          .join(', ') || 'no requests';
      ctx.output.result(usage, [
        `Key ${id}, last ${options.days} days: ${totals}`,
        `Last used: ${usage.lastUsedAt ?? 'never'}${usage.lastUsedAddress ? ` from ${usage.lastUsedAddress}` : ''}`,
        ...table(
          usage.days.map((day) => ({ day: day.day, total: day.total, counts: day.counts })),
          { day: 'DAY', total: 'REQUESTS', counts: 'BY STATUS' },
        ),
      ]);
    });
}
