import { basicAuthorization, expectAnswer, formRequest } from '@tollgate/api-client';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../exit-codes.js';

/** A client's id and secret from the environment, for scripts: never on the command line (shell history, ps). */
function clientFromEnvironment(ctx: CliContext): { id: string; secret: string } {
  const id = ctx.env.TOLLGATE_CLIENT_ID;
  const secret = ctx.env.TOLLGATE_CLIENT_SECRET;
  if (!id || !secret)
    throw new CliError('Set TOLLGATE_CLIENT_ID and TOLLGATE_CLIENT_SECRET to the client’s id and secret', EXIT.usage);
  return { id, secret };
}

/** `tollgate token` and `tollgate verify`: the OAuth endpoints as a client, for scripts. */
export function registerM2mCommands(program: Command, context: () => CliContext): void {
  program
    .command('token')
    .description('Print an access token for a client (TOLLGATE_CLIENT_ID / TOLLGATE_CLIENT_SECRET), for scripts')
    .requiredOption('--resource <url>', 'the API the token is for (RFC 8707)')
    .option('--scope <scopes>', 'space-separated scopes (all the client is granted there when absent)')
    .action(async (options: { resource: string; scope?: string }) => {
      const ctx = context();
      const client = clientFromEnvironment(ctx);
      const request = formRequest({
        grant_type: 'client_credentials',
        resource: options.resource,
        scope: options.scope,
      });
      request.headers.authorization = basicAuthorization(client.id, client.secret);
      const token = await expectAnswer(ctx.publicApi().POST('/oauth/token', request), 200);
      // The token alone on stdout: `curl -H "Authorization: Bearer $(tollgate token …)"`.
      ctx.output.result(token, token.access_token);
    });
  program
    .command('verify')
    .description(
      'What a resource server would decide about a credential (introspection as TOLLGATE_CLIENT_ID, which needs tokens:introspect); exits 0 if accepted, 1 if not',
    )
    .argument('<credential>', 'a JWT, a PAT (tgp_…) or an API key (tgk_…); "-" reads it from stdin')
    .requiredOption('--resource <url>', 'the resource server deciding')
    .action(async (credential: string, options: { resource: string }) => {
      const ctx = context();
      const client = clientFromEnvironment(ctx);
      const presented = credential === '-' ? (await readStdin()).trim() : credential;
      const request = formRequest({ token: presented, resource: options.resource });
      request.headers.authorization = basicAuthorization(client.id, client.secret);
      const answer = await expectAnswer(ctx.publicApi().POST('/oauth/introspect', request), 200);
      const audience = typeof answer.aud === 'string' ? [answer.aud] : (answer.aud ?? []);
      const accepted = answer.active && (audience.length === 0 || audience.includes(options.resource));
      ctx.output.result(
        { accepted, ...answer },
        accepted
          ? [
              `✓ accepted at ${options.resource}`,
              `  subject: ${answer.sub}`,
              `  scopes: ${answer.scope || '(none)'}`,
              ...(answer.exp ? [`  expires: ${new Date(answer.exp * 1000).toISOString()}`] : []),
            ]
          : `✗ refused at ${options.resource}: ${answer.active ? 'not for this resource' : 'not active (unknown, expired, revoked, or not yours to see)'}`,
      );
      if (!accepted) process.exitCode = EXIT.refused;
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
