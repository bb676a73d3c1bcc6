import { UserPermissions } from './user-permissions.js';

describe(UserPermissions.name, () => {
  const sut = new UserPermissions(
    new Map([
      ['https://crm.test', new Set(['contacts:read', 'contacts:write'])],
      ['https://billing.test', new Set(['invoices:read'])],
    ]),
  );

  it('answers per resource, nothing for unknown ones', () => {
    expect([...sut.at('https://crm.test')]).toEqual(['contacts:read', 'contacts:write']);
    expect([...sut.at('https://other.test')]).toEqual([]);
  });

  it('unites scopes across resources, optionally within a restriction', () => {
    expect([...sut.anywhere()].sort()).toEqual(['contacts:read', 'contacts:write', 'invoices:read']);
    expect([...sut.anywhere(['https://billing.test'])]).toEqual(['invoices:read']);
    expect([...sut.anywhere(['https://other.test'])]).toEqual([]);
  });

  it('lists entries sorted for display', () => {
    expect(sut.entries()).toEqual([
      { resource: 'https://billing.test', scopes: ['invoices:read'] },
      { resource: 'https://crm.test', scopes: ['contacts:read', 'contacts:write'] },
    ]);
    expect(UserPermissions.none.entries()).toEqual([]);
  });
});
