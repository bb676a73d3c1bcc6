import type { Benchmark } from '../benchmark.js';
import { AuthServerProcess, basicAuthorization, type ClientCredentials } from '../support/auth-server.process.js';
import { sendOnce } from '../support/http-client.js';
import { assertAccessTokenResponse } from '../support/access-token.check.js';
import { freePort } from '../../../test/support/free-port.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { httpContender } from '../support/http-load.js';
import { serverEntry } from '../support/paths.js';
import { ServerProcess } from '../support/server-process.js';

const RESOURCE = 'https://crm.tollgate.local';
const SCOPE = 'contacts:read';
const TOKEN_TTL_SECONDS = 900;
// jose signs on the libuv thread pool, so only concurrent requests show what a server can issue.
const CONNECTIONS = 48;

/**
 * Client-credentials grants per second: the built auth-server (SQLite file, every issuance
 * audited before the answer) against oidc-provider (tokens not stored), both issuing ES256 JWT
 * access tokens for one resource to a client_secret_basic client, for the same request; beside
 * them the bare limit (bench/src/servers/bare-token.server.ts), so the gap to what this machine
 * can do at all is visible. The target is in CPU per token: 2× oidc-provider's.
 */
export const tokenEndpoint: Benchmark = {
  name: 'tokenEndpoint',
  description:
    'client_credentials grants/s (client_secret_basic, RFC 8707 resource, ES256 JWT): auth-server vs oidc-provider',
  kind: 'throughput',
  target: 1.5,
  // Issue 15: at most half oidc-provider's CPU per token.
  cpuRatioTarget: 2,

  async setup({ tempDir, connections = CONNECTIONS, log }) {
    const cleanup = new CleanupStack();
    try {
      log('starting the auth-server');
      const auth = await AuthServerProcess.start(tempDir);
      cleanup.add(() => auth.stop());
      await auth.createResource(RESOURCE, [SCOPE], TOKEN_TTL_SECONDS);
      const client = await auth.createClient('token endpoint benchmark', [{ resource: RESOURCE, scopes: [SCOPE] }]);

      // The same client id and secret on every side, so all receive byte-identical requests.
      log('starting oidc-provider');
      const { server: baselineServer, url: provider } = await startTokenServer(
        'oidc-provider',
        client,
        '/.well-known/openid-configuration',
      );
      cleanup.add(() => baselineServer.stop());
      log('starting the bare limit (node:http, SHA-256 lookup, ES256 signing, nothing else)');
      const { server: bareServer, url: bare } = await startTokenServer(
        'bare-token',
        client,
        '/.well-known/oauth-authorization-server',
      );
      cleanup.add(() => bareServer.stop());

      const params = { grant_type: 'client_credentials', resource: RESOURCE, scope: SCOPE };
      const request = {
        method: 'POST' as const,
        headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      };
      const ours = { ...request, url: `${auth.issuer}/oauth/token` };
      const baseline = { ...request, url: `${provider}/token` };
      const bareLimit = { ...request, url: `${bare}/token` };
      // Exactly the requests the load generator will send: both must issue a valid token for them.
      const expected = { audience: RESOURCE, scope: SCOPE, clientId: client.id };
      await assertAccessTokenResponse('auth-server', await sendOnce(ours), {
        ...expected,
        metadataUrl: `${auth.issuer}/.well-known/oauth-authorization-server`,
      });
      await assertAccessTokenResponse('oidc-provider', await sendOnce(baseline), {
        ...expected,
        metadataUrl: `${provider}/.well-known/openid-configuration`,
      });

      await assertAccessTokenResponse('the bare limit', await sendOnce(bareLimit), {
        ...expected,
        metadataUrl: `${bare}/.well-known/oauth-authorization-server`,
      });

      return {
        furtherBaselines: [
          {
            name: 'bareLimit',
            contender: httpContender(
              'bare limit (node:http, no framework, audit or throttle)',
              bareLimit,
              connections,
              [bareServer],
            ),
          },
        ],
        ours: httpContender('auth-server (SQLite file, audit on)', ours, connections, [auth.server]),
        baseline: httpContender('oidc-provider 9 (in memory)', baseline, connections, [baselineServer]),
        conditions: { connections },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

/** A baseline token server (bench/src/servers/<name>.server.ts) knowing `client`, ready once `readyPath` answers. */
async function startTokenServer(
  name: string,
  client: ClientCredentials,
  readyPath: string,
): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await ServerProcess.start({
    name,
    entry: serverEntry(name),
    env: {
      PORT: String(port),
      RESOURCE,
      SCOPE,
      CLIENT_ID: client.id,
      CLIENT_SECRET: client.secret,
      ACCESS_TOKEN_TTL: String(TOKEN_TTL_SECONDS),
    },
    readyUrl: `${url}${readyPath}`,
  });
  return { server, url };
}
