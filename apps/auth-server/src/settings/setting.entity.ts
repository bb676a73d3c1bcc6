import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A runtime setting changed by admins (e.g. `pat-policy`); absent rows fall back to the configuration. */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key: string;

  @Column({ type: 'simple-json' })
  value: object;

  @TimestampColumn()
  updatedAt: Date;
}
