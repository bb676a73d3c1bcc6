import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RevocationEventEntity } from './revocation-event.entity.js';
import { RevocationEventsRepository } from './revocation-events.repository.js';
import { RevocationFeedController } from './revocation-feed.controller.js';
import { RevocationFeedService } from './revocation-feed.service.js';
import { RevocationFeedStreams } from './revocation-feed.streams.js';

/** Global: every module that revokes something publishes to the feed. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([RevocationEventEntity])],
  controllers: [RevocationFeedController],
  providers: [RevocationFeedService, RevocationEventsRepository, RevocationFeedStreams],
  exports: [RevocationFeedService, RevocationFeedStreams],
})
export class RevocationsModule {}
