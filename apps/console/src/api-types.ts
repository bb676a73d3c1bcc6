// What the management API answers, as far as the console reads it (the auth-server's response DTOs,
// apps/auth-server/src/*/dto). ISO 8601 instants are strings.

export interface Grant {
  resource: string;
  scopes: string[];
}

export interface SessionUser {
  id: string;
  email: string;
}

/** POST and GET /api/session. */
export interface StartedSession {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
  /** When the person last proved who they are; changing sign-in factors wants it within 10 minutes. */
  authenticatedAt: string;
  secondFactorSetupRequired: boolean;
}

export type SecondFactorMethod = 'passkey' | 'totp' | 'recovery_code';

/** POST /api/session answers 202 with this when a second factor is due. */
export interface SecondFactorRequired {
  secondFactorRequired: true;
  methods: SecondFactorMethod[];
  expiresAt: string;
}

/** GET /api/me/passkeys. */
export interface Passkey {
  id: string;
  name: string;
  backedUp: boolean;
  transports: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

/** A factor just added: the recovery codes come with the first one. */
export interface AddedFactor {
  recoveryCodes?: string[];
}

export interface TotpStatus {
  enabled: boolean;
  enabledAt: string | null;
}

/** POST /api/me/totp: the secret, this once. */
export interface TotpSetup {
  secret: string;
  uri: string;
}

/** GET /api/me/recovery-codes. */
export interface RecoveryCodesStatus {
  remaining: number;
  total: number;
  generatedAt: string | null;
}

/** GET and PUT /api/settings/sign-in-policy. */
export interface SignInPolicy {
  requireSecondFactorForAdmins: boolean;
}

/** GET /api/me. */
export interface Me {
  permissions?: Grant[];
}

export interface AuthorizationServerMetadata {
  issuer: string;
}

/** GET /api/resources. */
export interface Resource {
  id: string;
  indicator: string;
  name: string;
  scopes: string[];
  /** Seconds. */
  accessTokenTtl: number;
  requiredBinding: 'none' | 'dpop' | 'mtls';
  system: boolean;
}

export type CredentialStatus = 'active' | 'expired' | 'revoked';

/** Where and when a credential was last used. */
export interface LastUse {
  lastUsedAt: string | null;
  lastUsedAddress?: string | null;
}

/** A personal access token (GET /api/me/tokens, /api/users/{id}/tokens). */
export interface PersonalAccessToken extends LastUse {
  id: string;
  name: string;
  scopes: string[];
  resources: string[];
  displayPrefix: string;
  createdAt: string;
  expiresAt: string | null;
  status: CredentialStatus;
}

export interface CreatedPersonalAccessToken {
  name: string;
  token: string;
  scopes: string[];
  expiresAt: string | null;
}

export interface PatPolicy {
  maxLifetimeDays: number | null;
  allowNoExpiry: boolean;
  /** Days before expiry that owners are warned. */
  expiryWarningDays?: number;
}

export interface ApiConsumer {
  id: string;
  name: string;
  contact: string;
  disabled: boolean;
  createdAt: string;
}

export interface ApiKey extends LastUse {
  id: string;
  name: string;
  environment: 'live' | 'test';
  displayPrefix: string;
  grants: Grant[];
  rateLimit: { requests: number; perSeconds: number } | null;
  ipAllowlist: string[] | null;
  status: CredentialStatus;
  rolledToId: string | null;
  rolledFromId: string | null;
  createdAt: string;
  expiresAt: string | null;
}

export interface CreatedApiKey {
  name: string;
  key: string;
}

/** GET /api/keys/{id}/usage: requests per UTC day, by status class. */
export interface KeyUsage {
  days?: UsageDay[];
}

export interface UsageDay {
  day: string;
  counts: Partial<Record<StatusClass, number>>;
  total: number;
}

export type StatusClass = '2xx' | '3xx' | '4xx' | '5xx';

export type AuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth' | 'self_signed_tls_client_auth';

export interface ClientSecret {
  id: string;
  displayPrefix: string;
  active: boolean;
  expiresAt: string | null;
}

/** An M2M application or device (GET /api/clients). */
export interface Client {
  id: string;
  name: string;
  kind: 'service' | 'device';
  disabled: boolean;
  createdAt: string;
  tokensValidAfter: string | null;
  tokenEndpointAuthMethod: AuthMethod;
  allowTokenExchange: boolean;
  /** `dpop`: every token it gets is bound to its DPoP key (RFC 9449); `mtls`: to its TLS client certificate (RFC 8705); `none`: bearer tokens allowed. */
  requiredBinding: 'none' | 'dpop' | 'mtls';
  grants: Grant[];
  secrets: ClientSecret[];
  /** tls_client_auth (RFC 8705 §2.1): the one name its CA-issued certificate must carry. */
  tlsClientAuthSubjectDn?: string;
  tlsClientAuthSanDns?: string;
  tlsClientAuthSanUri?: string;
  tlsClientAuthSanIp?: string;
  tlsClientAuthSanEmail?: string;
}

/** A client just registered: its secret, when it has one, is shown this once. */
export interface CreatedClient extends Client {
  clientSecret?: string;
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  kind: 'person' | 'service_account';
  roles: string[];
  disabled: boolean;
  lastLoginAt: string | null;
}

export interface Role {
  id: string;
  name: string;
  system: boolean;
  description: string | null;
  grants: Grant[];
}

export type SigningKeyState = 'next' | 'current' | 'previous' | 'retired';

export interface SigningKey {
  kid: string;
  alg: string;
  state: SigningKeyState;
  createdAt: string;
  activatedAt: string | null;
  deactivatedAt: string | null;
  retiredAt: string | null;
}

/** POST /api/signing-keys/rotate and …/retire. */
export interface SigningKeyChange {
  current: string;
  previous?: string;
  retired?: string;
}

export interface AuditEvent {
  /** Grows with every event: newer events have larger ids. */
  id: number;
  occurredAt: string;
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  actor: { type: string; id: string | null };
  credential: { type: string; id: string } | null;
  address: string | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** GET /api/broker/status. */
export interface BrokerStatus {
  configured: boolean;
  status?: string;
  connectedDevices?: number;
  revocationFeed?: string;
  checkedAt?: string;
  /** Client ids with a session; null when the broker does not list them. */
  devices?: string[] | null;
}

/** POST /api/device/lookup: a CLI's pending sign-in request (RFC 8628). */
export interface DeviceRequest {
  /** A CLI signing in as you, or a device asking to be registered. */
  kind: 'sign_in' | 'pairing';
  clientId: string;
  clientName: string;
  resource: string;
  scopes: string[];
  scopesNotHeld: string[];
  deviceId: string | null;
  keyThumbprint: string | null;
  controllers: string[];
  mayApprove: boolean;
  requestedFrom: string | null;
  requestedAt: string;
  expiresAt: string;
}

/** A webhook endpoint (GET /api/webhooks): where audit events are sent, signed (Standard Webhooks). */
export interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  disabled: boolean;
  /** Until when the previous secret signs too (a rotation in progress). */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** POST /api/webhooks: the signing secret, this once. */
export interface CreatedWebhook extends Webhook {
  secret: string;
}

/** One event's delivery to one endpoint (GET /api/webhooks/{id}/deliveries). */
export interface WebhookDelivery {
  id: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Credentials with an expiry, by state. */
export interface StateCounts {
  active: number;
  expired: number;
  revoked: number;
}

/** GET /api/overview. */
export interface Overview {
  generatedAt: string;
  counts: {
    clients: Record<'service' | 'device', { enabled: number; disabled: number }>;
    apiKeys: StateCounts;
    personalAccessTokens: StateCounts;
    users: { people: number; serviceAccounts: number; disabled: number };
  };
  expiringSoon: {
    kind: 'api_key' | 'pat';
    id: string;
    name: string;
    displayPrefix: string;
    expiresAt: string;
    owner: { id: string; name: string };
  }[];
  refusals: { last24Hours: number; newest: AuditEvent[] };
  revocationFeed: { subscribersHere: number };
  broker: BrokerStatus;
}

/** One result of POST /api/search. */
export interface SearchHit {
  kind: 'client' | 'consumer' | 'api_key' | 'user' | 'pat';
  id: string;
  title: string;
  detail: string;
  owner?: { id: string; name: string };
}

/** What a provider lets a consumer's developers do (PUT /api/consumers/{id}/portal). */
export interface PortalLimits {
  grants: Grant[];
  environments: ('live' | 'test')[];
  maxActiveKeys: number;
  rateLimitCeiling: { requests: number; perSeconds: number } | null;
}

/** GET /api/me/consumers: a consumer whose keys you manage in the developer portal. */
export interface MyConsumer {
  id: string;
  name: string;
  limits: PortalLimits;
}

/** GET /api/consumers/{id}/members. */
export interface ConsumerMember {
  userId: string;
  email: string;
  displayName: string;
  invitedAt: string;
}
