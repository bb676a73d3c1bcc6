import { Injectable } from '@nestjs/common';
import { RolesRepository } from './roles.repository.js';
import { UserPermissions } from './user-permissions.js';

/**
 * A user's scopes, computed from their roles at the moment of use (never cached), so that removing
 * a role or narrowing a role's grants narrows every session and PAT of its users at once.
 */
@Injectable()
export class PermissionsService {
  constructor(private readonly roles: RolesRepository) {}

  async forUser(userId: string): Promise<UserPermissions> {
    const grants = await this.roles.grantsHeldBy(userId);
    const byResource = new Map<string, Set<string>>();
    for (const grant of grants) {
      const resource = grant.resource!;
      const held = byResource.get(resource.indicator) ?? new Set<string>();
      // A scope the resource no longer defines grants nothing, even if a role still names it.
      for (const scope of grant.scopes) if (resource.scopes.includes(scope)) held.add(scope);
      byResource.set(resource.indicator, held);
    }
    return new UserPermissions(byResource);
  }
}
