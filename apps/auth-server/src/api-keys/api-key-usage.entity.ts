import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Requests made with one key on one UTC day, per response status class. */
@Entity('api_key_usage')
export class ApiKeyUsageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  keyId: string;

  /** `YYYY-MM-DD` (UTC). */
  @PrimaryColumn({ type: 'varchar', length: 10 })
  day: string;

  /** `2xx`, `3xx`, `4xx` or `5xx`. */
  @PrimaryColumn({ type: 'varchar', length: 3 })
  statusClass: string;

  @Column({ type: 'integer' })
  count: number;
}
