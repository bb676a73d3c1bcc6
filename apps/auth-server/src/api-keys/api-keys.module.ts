import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { OAuthModule } from '../oauth/oauth.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { ApiConsumerEntity } from './api-consumer.entity.js';
import { ApiConsumersController } from './api-consumers.controller.js';
import { ApiConsumersRepository } from './api-consumers.repository.js';
import { ApiConsumersService } from './api-consumers.service.js';
import { ApiKeyUsageEntity } from './api-key-usage.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { ApiKeyVerifier } from './api-key.verifier.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysDirectory } from './api-keys.directory.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([ApiConsumerEntity, ApiKeyEntity, ApiKeyUsageEntity]),
    AuditModule,
    ResourcesModule,
    OAuthModule,
  ],
  controllers: [ApiConsumersController, ApiKeysController],
  providers: [
    ApiConsumersService,
    ApiConsumersRepository,
    ApiKeysService,
    ApiKeysRepository,
    ApiKeyVerifier,
    ApiKeysDirectory,
  ],
  exports: [ApiKeysService, ApiConsumersService, ApiKeysDirectory],
})
export class ApiKeysModule {}
