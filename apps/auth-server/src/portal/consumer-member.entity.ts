import { TimestampColumn } from '@tollgate/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiConsumerEntity } from '../api-keys/api-consumer.entity.js';
import { UserEntity } from '../users/user.entity.js';

/** A person invited to an API consumer: they manage its keys in the developer portal, within its limits. */
@Entity('consumer_members')
@Index('idx_consumer_members_user', ['userId'])
export class ConsumerMemberEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  consumerId: string;

  /** Goes with the consumer. */
  @ManyToOne(() => ApiConsumerEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'consumerId', foreignKeyConstraintName: 'fk_consumer_members_consumer' })
  consumer?: ApiConsumerEntity;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  userId: string;

  /** Goes with the user. */
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId', foreignKeyConstraintName: 'fk_consumer_members_user' })
  user?: UserEntity;

  /** Who invited them (an admin's user or client id). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  invitedBy: string | null;

  @TimestampColumn()
  createdAt: Date;
}
