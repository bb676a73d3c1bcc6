import { ApiConsumerEntity } from '../api-keys/api-consumer.entity.js';
import { ApiKeyUsageEntity } from '../api-keys/api-key-usage.entity.js';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { ClientGrantEntity } from '../clients/client-grant.entity.js';
import { ClientSecretEntity } from '../clients/client-secret.entity.js';
import { ClientEntity } from '../clients/client.entity.js';
import { DeviceAuthorizationEntity } from '../device/device-authorization.entity.js';
import { PasskeyEntity } from '../factors/passkey.entity.js';
import { RecoveryCodeEntity } from '../factors/recovery-code.entity.js';
import { TotpAuthenticatorEntity } from '../factors/totp-authenticator.entity.js';
import { WebAuthnChallengeEntity } from '../factors/webauthn-challenge.entity.js';
import { ExchangedTokenEntity } from '../oauth/exchanged-token.entity.js';
import { RevokedTokenEntity } from '../oauth/revoked-token.entity.js';
import { UsedClientAssertionEntity } from '../oauth/used-client-assertion.entity.js';
import { PatEntity } from '../pats/pat.entity.js';
import { ConsumerMemberEntity } from '../portal/consumer-member.entity.js';
import { ConsumerPortalEntity } from '../portal/consumer-portal.entity.js';
import { SettingEntity } from '../settings/setting.entity.js';
import { ResourceEntity } from '../resources/resource.entity.js';
import { RevocationEventEntity } from '../revocations/revocation-event.entity.js';
import { RoleGrantEntity } from '../roles/role-grant.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { UserRoleEntity } from '../roles/user-role.entity.js';
import { PendingSignInEntity } from '../sessions/pending-sign-in.entity.js';
import { SessionEntity } from '../sessions/session.entity.js';
import { SigningKeyEntity } from '../signing-keys/signing-key.entity.js';
import { UserEntity } from '../users/user.entity.js';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity.js';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity.js';
import { Foundation1764100000000 } from './migrations/1764100000000-foundation.js';
import { UsersAndPats1764200000000 } from './migrations/1764200000000-users-and-pats.js';
import { ApiKeys1764300000000 } from './migrations/1764300000000-api-keys.js';
import { RevocationEvents1764400000000 } from './migrations/1764400000000-revocation-events.js';
import { BigintEventIds1764500000000 } from './migrations/1764500000000-bigint-event-ids.js';
import { ExchangedTokensValidAfter1764610000000 } from './migrations/1764610000000-exchanged-tokens-valid-after.js';
import { ApiKeyRateLimitBuckets1764611000000 } from './migrations/1764611000000-api-key-rate-limit-buckets.js';
import { OperatorSecretLabels1764680000000 } from './migrations/1764680000000-operator-secret-labels.js';
import { DeviceAuthorizations1764900000000 } from './migrations/1764900000000-device-authorizations.js';
import { SenderConstraints1765000000000 } from './migrations/1765000000000-sender-constraints.js';
import { TlsClientAuth1765100000000 } from './migrations/1765100000000-tls-client-auth.js';
import { Webhooks1765200000000 } from './migrations/1765200000000-webhooks.js';
import { SignInFactors1765300000000 } from './migrations/1765300000000-sign-in-factors.js';
import { DeveloperPortal1765400000000 } from './migrations/1765400000000-developer-portal.js';
import { AuditPartitions1765500000000 } from './migrations/1765500000000-audit-partitions.js';

/** Every entity and migration of the auth-server, listed explicitly (globs do not survive bundling). */
export const AUTH_SERVER_ENTITIES = [
  ResourceEntity,
  ClientEntity,
  ClientSecretEntity,
  ClientGrantEntity,
  SigningKeyEntity,
  AuditEventEntity,
  RevokedTokenEntity,
  UsedClientAssertionEntity,
  ApiConsumerEntity,
  ApiKeyEntity,
  ApiKeyUsageEntity,
  RevocationEventEntity,
  UserEntity,
  RoleEntity,
  RoleGrantEntity,
  UserRoleEntity,
  SessionEntity,
  PatEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  SettingEntity,
  ExchangedTokenEntity,
  DeviceAuthorizationEntity,
  PasskeyEntity,
  TotpAuthenticatorEntity,
  RecoveryCodeEntity,
  WebAuthnChallengeEntity,
  PendingSignInEntity,
  ConsumerPortalEntity,
  ConsumerMemberEntity,
];

export const AUTH_SERVER_MIGRATIONS = [
  Foundation1764100000000,
  UsersAndPats1764200000000,
  ApiKeys1764300000000,
  RevocationEvents1764400000000,
  BigintEventIds1764500000000,
  ExchangedTokensValidAfter1764610000000,
  ApiKeyRateLimitBuckets1764611000000,
  OperatorSecretLabels1764680000000,
  DeviceAuthorizations1764900000000,
  SenderConstraints1765000000000,
  TlsClientAuth1765100000000,
  Webhooks1765200000000,
  SignInFactors1765300000000,
  DeveloperPortal1765400000000,
  AuditPartitions1765500000000,
];
