import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { MeController } from './me.controller.js';
import { PasswordHasher } from './password-hasher.js';
import { UserChanges } from './user-changes.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersDirectory } from './users.directory.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), RolesModule, AuditModule],
  controllers: [UsersController, MeController],
  providers: [UsersService, UsersRepository, UserChanges, PasswordHasher, UsersDirectory],
  exports: [UsersService, PasswordHasher, UsersDirectory],
})
export class UsersModule {}
