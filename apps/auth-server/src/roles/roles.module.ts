import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { PermissionsService } from './permissions.service.js';
import { RoleGrantEntity } from './role-grant.entity.js';
import { RoleEntity } from './role.entity.js';
import { RolesController } from './roles.controller.js';
import { RolesRepository } from './roles.repository.js';
import { RolesService } from './roles.service.js';
import { UserRoleEntity } from './user-role.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([RoleEntity, RoleGrantEntity, UserRoleEntity]), AuditModule, ResourcesModule],
  controllers: [RolesController],
  providers: [RolesService, RolesRepository, PermissionsService],
  exports: [RolesService, PermissionsService],
})
export class RolesModule {}
