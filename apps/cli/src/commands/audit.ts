import { type AuthServerSchemas, expectAnswer } from '@tollgate/api-client';
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliContext } from '../cli-context.js';
import { integer } from './arguments.js';

type AuditEvent = AuthServerSchemas['schemas']['AuditEventDto'];

const FOLLOW_INTERVAL_MS = 2_000;

/** `tollgate audit [--follow]`: the audit log, newest last; with --follow, new events as they come. */
export function registerAuditCommand(program: Command, context: () => CliContext): void {
  program
    .command('audit')
    .description('Show the audit log (scope admin); --follow keeps printing new events')
    .option('--action <pattern>', 'e.g. api-key.* or pat.revoked')
    .option('--outcome <outcome>', 'success, failure or denied')
    .option('--credential <id>', 'events of one credential (its id, never its secret)')
    .option('--limit <n>', 'how many recent events', integer, 20)
    .option('--follow', 'keep printing new events until interrupted')
    .action(
      async (options: { action?: string; outcome?: string; credential?: string; limit: number; follow?: boolean }) => {
        const ctx = context();
        const api = ctx.signedInApi();
        const query = {
          ...(options.action && { action: options.action }),
          ...(options.outcome && {
            outcome: options.outcome as AuditEvent['outcome'] & ('success' | 'failure' | 'denied'),
          }),
          ...(options.credential && { credential: options.credential }),
        };
        const page = await expectAnswer(
          api.GET('/api/audit', { params: { query: { ...query, limit: options.limit } } }),
          200,
        );
        // The API answers newest first; a log reads oldest first.
        const shown = [...page.items].reverse();
        if (!options.follow) {
          ctx.output.result(shown, shown.length ? shown.map(line) : ['(no events)']);
          return;
        }
        for (const event of shown) print(ctx, event);
        let newest = page.items[0]?.id ?? 0;
        for (;;) {
          await sleep(FOLLOW_INTERVAL_MS);
          const next = await expectAnswer(api.GET('/api/audit', { params: { query: { ...query, limit: 100 } } }), 200);
          const fresh = next.items.filter((event) => event.id > newest).reverse();
          for (const event of fresh) print(ctx, event);
          newest = Math.max(newest, ...fresh.map((event) => event.id));
        }
      },
    );
}

function print(ctx: CliContext, event: AuditEvent): void {
  if (ctx.output.json) process.stdout.write(`${JSON.stringify(event)}\n`);
  else process.stdout.write(`${line(event)}\n`);
}

function line(event: AuditEvent): string {
  const actor = `${event.actor.type}${event.actor.id ? `:${event.actor.id}` : ''}`;
  const credential = event.credential ? ` ${event.credential.type}:${event.credential.id}` : '';
  const reason = event.reason ? ` (${event.reason})` : '';
  return `${event.occurredAt}  ${event.outcome.padEnd(7)}  ${event.action}  by ${actor}${credential}${reason}`;
}
