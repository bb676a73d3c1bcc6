import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { ResourcesModule } from '../resources/resources.module.js';
import { PermissionsService } from './permissions.service.js';
import { RoleGrantEntity } from './role-grant.entity.js';
import { RoleEntity } from './role.entity.js';
import { RolesController } from './roles.controller.js';
import { RolesService } from './roles.service.js';
import { UserChanges } from './user-changes.js';
import { UserRoleEntity } from './user-role.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([RoleEntity, RoleGrantEntity, UserRoleEntity]), AuditModule, ResourcesModule],
  controllers: [RolesController],
  providers: [RolesService, PermissionsService, UserChanges],
  exports: [RolesService, PermissionsService, UserChanges],
})
export class RolesModule {}
