import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * pending → approved or denied by a signed-in person → issued (the credential was handed out once,
 * to the poll that came first). Expired requests are refused whatever their state.
 */
export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'issued';

/**
 * One device authorization request (RFC 8628 §3.1): a CLI asks, a person approves it in the console,
 * the CLI's poll receives the credential. Neither code is stored, only its SHA-256: the device code
 * is a bearer secret until it is used, and the user code is what a person types.
 */
@Entity('device_authorizations')
export class DeviceAuthorizationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_device_authorizations_device_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  deviceCodeHash: string;

  @Index('uq_device_authorizations_user_code', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  userCodeHash: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  /** The resource the credential is for (RFC 8707): the management API unless the request names another. */
  @Column({ type: 'varchar', length: 255 })
  resource: string;

  /** What the client asked for. */
  @Column({ type: 'simple-json' })
  requestedScopes: string[];

  /** What the person approved (a subset of the request and of what they hold). */
  @Column({ type: 'simple-json', nullable: true })
  grantedScopes: string[] | null;

  @Column({ type: 'varchar', length: 16 })
  status: DeviceAuthorizationStatus;

  /** The person who decided. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  /** Pairing: the client id the device asks to be registered as (its MQTT client id and topic name). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  deviceId: string | null;

  /** Pairing: the public key the device generated; it authenticates with private_key_jwt (RFC 7523). */
  @Column({ type: 'simple-json', nullable: true })
  deviceJwk: Record<string, string> | null;

  /** Pairing: the device client the approving person let command the new device, if any. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  controllerId: string | null;

  /** The PAT issued to the client, once issued. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  patId: string | null;

  /** Seconds the client must wait between polls; raised by 5 at every `slow_down` (RFC 8628 §3.5). */
  @Column({ type: 'integer' })
  interval: number;

  @TimestampColumn({ nullable: true })
  lastPolledAt: Date | null;

  /** Where the request came from, shown to the person deciding. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  requestAddress: string | null;

  @TimestampColumn()
  createdAt: Date;

  @Index('idx_device_authorizations_expires_at')
  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ nullable: true })
  decidedAt: Date | null;
}
