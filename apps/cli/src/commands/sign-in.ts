import { expectAnswer, formRequest } from '@tollgate/api-client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../exit-codes.js';

/** The CLI's public OAuth client at every Tollgate auth-server (apps/auth-server/src/device/cli-client.ts). */
export const CLI_CLIENT_ID = 'tollgate-cli';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628 §3.5: each slow_down adds 5 seconds to the interval. */
const SLOW_DOWN_SECONDS = 5;

export interface LoginOptions {
  scope: string;
  resource?: string;
}

/**
 * `tollgate login`: the device authorization grant (RFC 8628). Shows a code and where to enter it,
 * polls at the interval the server asks for until a person approves or denies it in the console,
 * then stores the credential (0600) and says whom it acts for. The credential is never printed.
 */
export async function login(context: CliContext, options: LoginOptions): Promise<void> {
  const api = context.publicApi();
  const metadata = await expectAnswer(api.GET('/.well-known/oauth-authorization-server'), 200);
  if (!metadata.device_authorization_endpoint)
    throw new CliError(`${context.issuer} offers no device sign-in (no device_authorization_endpoint in its metadata)`);
  const started = await expectAnswer(
    api.POST(
      '/oauth/device_authorization',
      formRequest({ client_id: CLI_CLIENT_ID, scope: options.scope, resource: options.resource }),
    ),
    200,
  );
  const out = context.output;
  out.progress(`! Your one-time code: ${started.user_code}`);
  out.progress(`  Open ${started.verification_uri} in a browser signed in to the console, and enter it`);
  if (started.verification_uri_complete) out.progress(`  (or open ${started.verification_uri_complete})`);
  out.progress(
    `  It asks for: ${options.scope}. Waiting for approval (the code expires in ${Math.round(started.expires_in / 60)} min)…`,
  );

  let interval = started.interval ?? 5;
  const deadline = Date.now() + started.expires_in * 1000;
  while (Date.now() < deadline) {
    await sleep(interval * 1000);
    const { data, error, response } = await api.POST(
      '/oauth/token',
      formRequest({ grant_type: DEVICE_GRANT, client_id: CLI_CLIENT_ID, device_code: started.device_code }),
    );
    if (data) {
      const me = await expectAnswer(context.apiWith(data.access_token).GET('/api/me'), 200);
      const expiresAt = new Date(Date.now() + data.expires_in * 1000).toISOString();
      context.store.write({
        issuer: context.issuer,
        token: data.access_token,
        scope: data.scope,
        expiresAt,
        user: me.user.email,
      });
      out.result(
        {
          issuer: context.issuer,
          user: me.user.email,
          scope: data.scope,
          expiresAt,
          credentialFile: context.store.path,
        },
        [
          `✓ Signed in to ${context.issuer} as ${me.user.email} (scopes: ${data.scope}; until ${expiresAt.slice(0, 10)})`,
          `  Credential stored in ${context.store.path} (readable by you only)`,
        ],
      );
      return;
    }
    const code = (error as { error?: string } | undefined)?.error;
    if (code === 'authorization_pending') continue;
    if (code === 'slow_down') {
      interval += SLOW_DOWN_SECONDS;
      continue;
    }
    if (code === 'access_denied') throw new CliError('The sign-in was denied in the console');
    if (code === 'expired_token') break;
    throw new CliError(`The auth-server refused the sign-in (${response.status} ${code ?? 'no error code'})`);
  }
  throw new CliError('The code expired before anyone approved it: run `tollgate login` again');
}

/** `tollgate logout`: the credential revokes itself at the auth-server, then the file is removed. */
export async function logout(context: CliContext): Promise<void> {
  const stored = context.store.read();
  if (!stored) {
    context.output.result({ signedIn: false }, 'Not signed in');
    return;
  }
  const { response } = await context.signedInApi().DELETE('/api/me/token');
  // 401: already revoked or expired: nothing is left to revoke.
  if (response.status !== 204 && response.status !== 401)
    throw new CliError(
      `The auth-server did not revoke the credential (${response.status}); it is kept in ${context.store.path}`,
    );
  context.store.remove();
  context.output.result(
    { signedIn: false, revoked: true },
    `✓ Signed out of ${stored.issuer}: the credential is revoked and removed`,
  );
}

/** `tollgate whoami`: whom the credential acts for, and its scopes per resource. */
export async function whoami(context: CliContext): Promise<void> {
  const me = await expectAnswer(context.signedInApi().GET('/api/me'), 200);
  context.output.result(me, [
    `${me.user.email} at ${context.issuer}`,
    ...me.permissions.map((permission) => `  ${permission.resource}: ${permission.scopes.join(' ')}`),
  ]);
}
