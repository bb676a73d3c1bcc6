import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RevocationEventEntity } from './revocation-event.entity.js';
import { RevocationFeedController } from './revocation-feed.controller.js';
import { RevocationFeedService } from './revocation-feed.service.js';

/** Global: every module that revokes something publishes to the feed. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RevocationEventEntity])],
  controllers: [RevocationFeedController],
  providers: [RevocationFeedService],
  exports: [RevocationFeedService],
})
export class RevocationsModule {}
