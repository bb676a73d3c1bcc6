import { TimestampColumn } from '@tollgate/persistence';
import type { JSONWebKeySet } from 'jose';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TokenBinding } from '../common/token-binding.js';
import type { CertificateSubject } from './certificate-subject.js';
import type { TokenEndpointAuthMethod } from './auth-methods.js';

export type { TokenEndpointAuthMethod };

export type ClientKind = 'service' | 'device';
/** An M2M application or device that obtains tokens with the client-credentials grant. */
@Entity('clients')
export class ClientEntity {
  /** The OAuth `client_id` (and the `sub` of its tokens). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ClientKind;

  @Column({ type: 'varchar', length: 32 })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  /** Public keys for `private_key_jwt` (RFC 7523), or certificates for `self_signed_tls_client_auth` (RFC 8705 §2.2). */
  @Column({ type: 'simple-json', nullable: true })
  jwks: JSONWebKeySet | null;

  /** `tls_client_auth` (RFC 8705 §2.1): the subject DN or SAN its CA-issued certificate must carry. */
  @Column({ type: 'simple-json', nullable: true })
  tlsClientAuth: CertificateSubject | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** `dpop`: every access token it gets must be bound to a DPoP key (RFC 9449 §5.2 `dpop_bound_access_tokens`). */
  @Column({ type: 'varchar', length: 16, default: 'none' })
  requiredBinding: TokenBinding;

  /** May exchange a user's PAT for a short-lived JWT at the token endpoint (RFC 8693). */
  @Column({ type: 'boolean', default: false })
  allowTokenExchange: boolean;

  /** Tokens issued before this instant are refused ("revoke all tokens of this client"). */
  @TimestampColumn({ nullable: true })
  tokensValidAfter: Date | null;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
