import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SettingEntity } from './setting.entity.js';
import { SettingsRepository } from './settings.repository.js';

/** Runtime settings admins change (the PAT lifetime policy, the sign-in policy), stored by key. */
@Module({
  imports: [TypeOrmModule.forFeature([SettingEntity])],
  providers: [SettingsRepository],
  exports: [SettingsRepository],
})
export class SettingsModule {}
