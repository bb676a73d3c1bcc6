import {
  BothOrNeither,
  composeEnv,
  DatabaseEnv,
  HttpServerEnv,
  MetricsEnv,
  IntegerFrom,
  IsClientId,
  IsClientSecret,
  IsFlag,
  IsHttpUrl,
  IsIssuerOrigin,
  IsPort,
  OpenApiEnv,
  RedisEnv,
} from '@tollgate/platform';
import { MAX_ACCESS_TOKEN_LIFETIME_SECONDS } from '@tollgate/verifier';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';

/**
 * Environment variables the auth-server accepts (docs/configuration.md's table is checked against this class).
 *
 * @property DATA_DIR Folder for the embedded database and the generated key-encryption secret.
 * @property REDIS_URL Scaled mode (several auth-servers side by side): Redis pub/sub wakes every instance's revocation feed streams; the revocations themselves live in the database.
 */
@BothOrNeither('BOOTSTRAP_ADMIN_CLIENT_ID', 'BOOTSTRAP_ADMIN_CLIENT_SECRET')
export class AuthServerEnv extends composeEnv(
  HttpServerEnv({ port: 7400 }),
  MetricsEnv(),
  DatabaseEnv({ dataDir: 'data/auth-server' }),
  RedisEnv(),
  OpenApiEnv(),
) {
  /** Public base URL of this server: the `iss` of every token and the base of every endpoint. */
  @IsOptional() @IsIssuerOrigin() AUTH_ISSUER?: string;

  @IsOptional() @IsClientId() BOOTSTRAP_ADMIN_CLIENT_ID?: string;

  @IsOptional() @IsClientSecret() BOOTSTRAP_ADMIN_CLIENT_SECRET?: string;

  /** Encrypts signing keys at rest. Generated into DATA_DIR on the embedded default when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  KEY_ENCRYPTION_SECRET?: string;

  @IsOptional() @IsIn(['ES256', 'EdDSA']) SIGNING_ALG: 'ES256' | 'EdDSA' = 'ES256';

  /** Sign access tokens on libuv's thread pool instead of the event loop: 6–10% more tokens per second from one process where a core sits idle, for about 25 µs more CPU per token (handing a 23 µs ES256 signature over costs more than it). */
  @IsOptional() @IsFlag() SIGN_ON_THREAD_POOL: boolean = false;

  /** Access-token lifetime for resources created without one, in seconds. */
  @IsOptional() @IntegerFrom(60, MAX_ACCESS_TOKEN_LIFETIME_SECONDS) DEFAULT_ACCESS_TOKEN_TTL: number = 900;

  /** Console sessions end after this many seconds without a request. */
  @IsOptional() @IntegerFrom(60, 86_400) SESSION_IDLE_TTL: number = 1800;

  /** Console sessions end this many seconds after sign-in, whatever the activity. */
  @IsOptional() @IntegerFrom(300, 2_592_000) SESSION_ABSOLUTE_TTL: number = 43_200;

  /** Longest PAT lifetime, in days, until an admin changes the policy at runtime (PUT /api/settings/pat-policy). */
  @IsOptional() @IntegerFrom(1, 3650) PAT_MAX_LIFETIME_DAYS: number = 90;

  /** A PAT expiring within this many days gets one expiry warning (audit event `pat.expiring`, webhook). */
  @IsOptional() @IntegerFrom(1, 90) PAT_EXPIRY_WARNING_DAYS: number = 7;

  /** How often, in seconds, to look for PATs about to expire; 0 turns the job off. */
  @IsOptional() @IntegerFrom(0, 86_400) PAT_EXPIRY_CHECK_INTERVAL: number = 3600;

  /**
   * Audit events older than this many days are deleted, in small batches every hour (export them
   * first with GET /api/audit/export if they must be kept); 0 keeps them forever.
   */
  @IsOptional() @IntegerFrom(0, 36_500) AUDIT_RETENTION_DAYS: number = 400;

  /**
   * Let webhooks go to loopback, private and link-local addresses (a receiver on the same network);
   * off by default, since admins set webhook URLs at runtime and such a URL would reach into the
   * auth-server's own network.
   */
  @IsOptional() @IsFlag() WEBHOOK_ALLOW_PRIVATE_NETWORKS: boolean = false;

  /** Receives a JSON POST (without the token) for each PAT about to expire. */
  @IsOptional() @IsHttpUrl() PAT_EXPIRY_WEBHOOK_URL?: string;

  /** Signs the expiry webhook (Standard Webhooks HMAC-SHA256); a `whsec_` prefix means base64 bytes follow. */
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'must be at least 24 characters' })
  PAT_EXPIRY_WEBHOOK_SECRET?: string;

  /** The IoT broker's GET /health (e.g. http://127.0.0.1:7884/health): the console shows connected devices; the broker lists their ids with HEALTH_SHOW_DEVICES=true. */
  @IsOptional() @IsHttpUrl() IOT_BROKER_HEALTH_URL?: string;

  /** DPoP (RFC 9449 §8): token requests must carry the server's nonce (DPoP-Nonce), so a proof cannot be made ahead of time. */
  @IsOptional() @IsFlag() DPOP_NONCE_REQUIRED: boolean = false;

  /**
   * The mTLS token endpoint (RFC 8705 §5, `mtls_endpoint_aliases`): an HTTPS port that asks for a
   * client certificate and binds the tokens it issues to it (`cnf.x5t#S256`); off unless set. Needs
   * TLS_CERT_FILE and TLS_KEY_FILE; TLS must end here, not at a proxy, or the certificate is lost.
   */
  @IsOptional() @IsPort() MTLS_PORT?: number;

  /** The mTLS endpoint's public base URL (default `https://<AUTH_ISSUER's host>:<MTLS_PORT>`). */
  @IsOptional() @IsHttpUrl() MTLS_URL?: string;

  /** The auth-server's TLS certificate (PEM, chain included), for MTLS_PORT. */
  @IsOptional() @IsString() TLS_CERT_FILE?: string;

  /** Its private key (PEM). */
  @IsOptional() @IsString() TLS_KEY_FILE?: string;

  /**
   * CA certificates (PEM) that issue clients' certificates: with it, `tls_client_auth` clients (RFC
   * 8705 §2.1) authenticate at MTLS_PORT with a certificate from one of these CAs that names them.
   */
  @IsOptional() @IsString() TLS_CLIENT_CA_FILE?: string;
}
