import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SettingEntity } from './setting.entity.js';

/** Runtime settings changed by admins, by key. */
@Injectable()
export class SettingsRepository {
  constructor(@InjectRepository(SettingEntity) private readonly settings: Repository<SettingEntity>) {}

  /** The stored value, or undefined when the setting was never changed. */
  async get(key: string): Promise<object | undefined> {
    return (await this.settings.findOneBy({ key }))?.value;
  }

  async set(key: string, value: object, at: Date): Promise<void> {
    await this.settings.upsert({ key, value, updatedAt: at }, ['key']);
  }
}
