import { IsIssuerUrl, loadEnv } from '@tollgate/platform';
import { IsOptional, IsString, Length } from 'class-validator';

/**
 * Environment variables the `tollgate` CLI reads (its options on the command line win over them).
 *
 * @property TOLLGATE_ISSUER The auth-server to talk to, when `--issuer` is not given; else the one you signed in to, else `http://localhost:7400`.
 * @property TOLLGATE_TOKEN A personal access token to use instead of the stored sign-in (CI jobs, scripts).
 * @property TOLLGATE_CLIENT_ID A client's id, for `tollgate token` and `tollgate verify` (never on the command line).
 * @property TOLLGATE_CLIENT_SECRET That client's secret.
 * @property TOLLGATE_CONFIG_DIR Where the sign-in is stored, instead of the OS convention (`$XDG_CONFIG_HOME/tollgate`, `~/Library/Application Support/tollgate`, `%APPDATA%\tollgate`).
 */
export class CliEnv {
  @IsOptional() @IsIssuerUrl() TOLLGATE_ISSUER?: string;
  @IsOptional() @IsString() @Length(1, 4096) TOLLGATE_TOKEN?: string;
  @IsOptional() @IsString() @Length(1, 128) TOLLGATE_CLIENT_ID?: string;
  @IsOptional() @IsString() @Length(1, 512) TOLLGATE_CLIENT_SECRET?: string;
  @IsOptional() @IsString() TOLLGATE_CONFIG_DIR?: string;
}

export function loadCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  return loadEnv(CliEnv, env);
}
