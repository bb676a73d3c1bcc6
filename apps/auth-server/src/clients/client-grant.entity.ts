import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ResourceEntity } from '../resources/resource.entity.js';
import { ClientEntity } from './client.entity.js';

/** The scopes a client may request on one resource. */
@Entity('client_grants')
@Index('uq_client_grants_client_resource', ['clientId', 'resourceId'], { unique: true })
export class ClientGrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  clientId: string;

  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'clientId', foreignKeyConstraintName: 'fk_client_grants_client' })
  client?: ClientEntity;

  @Column({ type: 'varchar', length: 36 })
  resourceId: string;

  @ManyToOne(() => ResourceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'resourceId', foreignKeyConstraintName: 'fk_client_grants_resource' })
  resource?: ResourceEntity;

  @Column({ type: 'simple-json' })
  scopes: string[];
}
