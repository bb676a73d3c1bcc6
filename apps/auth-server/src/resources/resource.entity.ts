import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TokenBinding } from '../common/token-binding.js';

/** An API protected by Tollgate; its RFC 8707 indicator is the `aud` of tokens issued for it. */
@Entity('resources')
export class ResourceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_resources_indicator', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  indicator: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'simple-json' })
  scopes: string[];

  /** Access-token lifetime in seconds. */
  @Column({ type: 'integer' })
  accessTokenTtl: number;

  /** `dpop`: tokens for this resource are issued bound to a DPoP key only (RFC 9449), never as bearer tokens. */
  @Column({ type: 'varchar', length: 16, default: 'none' })
  requiredBinding: TokenBinding;

  /** Created by Tollgate itself (the management API); cannot be deleted. */
  @Column({ type: 'boolean', default: false })
  system: boolean;

  @TimestampColumn()
  createdAt: Date;

  @TimestampColumn()
  updatedAt: Date;
}
