/** What a user may do, per resource indicator: the union of their roles' grants, as of now. */
export class UserPermissions {
  constructor(private readonly byResource: ReadonlyMap<string, ReadonlySet<string>>) {}

  static readonly none = new UserPermissions(new Map());

  /** Scopes held on one resource. */
  at(resource: string): ReadonlySet<string> {
    return this.byResource.get(resource) ?? new Set();
  }

  /** Scopes held on any of `resources` (every resource when the list is empty). */
  anywhere(resources: readonly string[] = []): Set<string> {
    const held = new Set<string>();
    for (const [indicator, scopes] of this.byResource) {
      if (resources.length === 0 || resources.includes(indicator)) for (const scope of scopes) held.add(scope);
    }
    return held;
  }

  entries(): { resource: string; scopes: string[] }[] {
    return [...this.byResource]
      .map(([resource, scopes]) => ({ resource, scopes: [...scopes].sort() }))
      .sort((a, b) => a.resource.localeCompare(b.resource));
  }
}
