import { Module } from '@nestjs/common';
import { BrokerStatusController } from './broker-status.controller.js';
import { BrokerStatusService } from './broker-status.service.js';
import { ConsoleAssets } from './console-assets.js';
import { ConsoleController } from './console.controller.js';

/** The web console at /console, and the management routes only it needs (the IoT broker's status). */
@Module({
  controllers: [ConsoleController, BrokerStatusController],
  providers: [{ provide: ConsoleAssets, useFactory: () => new ConsoleAssets() }, BrokerStatusService],
  exports: [BrokerStatusService],
})
export class ConsoleModule {}
