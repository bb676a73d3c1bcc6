import { Module } from '@nestjs/common';
import { SharedAuthFailures } from './shared-auth-failures.js';

@Module({
  providers: [SharedAuthFailures],
  exports: [SharedAuthFailures],
})
export class ThrottlingModule {}
