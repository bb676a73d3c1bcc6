import { type AuthServerApi, createAuthServerApi } from '@tollgate/api-client';
import { type CliEnv, loadCliEnv } from './config/cli.env.js';
import { type StoredCredential, CredentialsStore } from './config/credentials-store.js';
import { CliError, EXIT } from './exit-codes.js';
import { Output } from './output.js';

export const CLI_VERSION = '0.1.0';
const USER_AGENT = `tollgate-cli/${CLI_VERSION}`;
/** The demo's auth-server (README's quick start). */
export const DEFAULT_ISSUER = 'http://localhost:7400';

export interface GlobalOptions {
  issuer?: string;
  json?: boolean;
}

/** What every command works with: where the auth-server is, the stored sign-in, how to print. */
export class CliContext {
  readonly output: Output;
  /** The TOLLGATE_* variables, validated (a bad one stops the command with exit code 2). */
  readonly env: CliEnv;

  constructor(
    private readonly options: GlobalOptions,
    readonly store = new CredentialsStore(),
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.output = new Output(Boolean(options.json));
    this.env = loadCliEnv(env);
  }

  /** --issuer, else TOLLGATE_ISSUER, else the signed-in auth-server, else the demo's. */
  get issuer(): string {
    const issuer = this.options.issuer ?? this.env.TOLLGATE_ISSUER ?? this.store.read()?.issuer ?? DEFAULT_ISSUER;
    if (!URL.canParse(issuer) || !/^https?:$/.test(new URL(issuer).protocol))
      throw new CliError(`The issuer must be an http(s) URL, not "${issuer}"`, EXIT.usage);
    return issuer.replace(/\/+$/, '');
  }

  /** The auth-server's API with no credential (discovery, the OAuth endpoints). */
  publicApi(): AuthServerApi {
    return createAuthServerApi({ baseUrl: this.issuer, userAgent: USER_AGENT });
  }

  /** The auth-server's API as the signed-in person (or with TOLLGATE_TOKEN, for scripts and CI). */
  signedInApi(): AuthServerApi {
    return this.apiWith(this.credential());
  }

  apiWith(credential: string): AuthServerApi {
    return createAuthServerApi({ baseUrl: this.issuer, credential, userAgent: USER_AGENT });
  }

  private credential(): string {
    if (this.env.TOLLGATE_TOKEN) return this.env.TOLLGATE_TOKEN;
    const stored: StoredCredential | undefined = this.store.read();
    if (!stored) throw new CliError('Not signed in: run `tollgate login`', EXIT.unauthenticated);
    if (stored.issuer !== this.issuer)
      throw new CliError(
        `Signed in to ${stored.issuer}, not ${this.issuer}: run \`tollgate login --issuer ${this.issuer}\``,
        EXIT.unauthenticated,
      );
    return stored.token;
  }
}
