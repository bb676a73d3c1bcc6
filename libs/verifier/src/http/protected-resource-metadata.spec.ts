import { ProtectedResource } from './protected-resource-metadata.js';

describe(ProtectedResource.name, () => {
  it('describes the resource as RFC 9728 §2 asks, bearer tokens in the header only', () => {
    const sut = new ProtectedResource({
      resource: 'https://crm.example.com',
      authorizationServers: ['https://auth.example.com'],
      scopes: ['contacts:read', 'contacts:write'],
      name: 'CRM',
    });
    expect(sut.metadata).toEqual({
      resource: 'https://crm.example.com',
      authorization_servers: ['https://auth.example.com'],
      scopes_supported: ['contacts:read', 'contacts:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'CRM',
    });
    expect(Object.isFrozen(sut.metadata)).toBe(true);
  });

  it.each([
    ['https://crm.example.com', '/.well-known/oauth-protected-resource'],
    ['https://crm.example.com/', '/.well-known/oauth-protected-resource'],
    ['https://api.example.com/crm', '/.well-known/oauth-protected-resource/crm'],
    ['https://api.example.com/crm/', '/.well-known/oauth-protected-resource/crm'],
    ['https://api.example.com/v1/crm', '/.well-known/oauth-protected-resource/v1/crm'],
  ])('serves the metadata of %s at %s (the well-known segment between host and path, §3.1)', (resource, path) => {
    expect(new ProtectedResource({ resource, authorizationServers: [] }).metadataPath).toBe(path);
  });

  it('refuses a resource identifier that is not a URL or has a fragment (§1.2)', () => {
    expect(() => new ProtectedResource({ resource: 'crm', authorizationServers: [] })).toThrow();
    expect(() => new ProtectedResource({ resource: 'https://crm.example.com#x', authorizationServers: [] })).toThrow(
      /fragment/,
    );
  });

  it('describes no resource whose RFC 8707 indicator is not an http(s) URL: it has no well-known path', () => {
    for (const resource of ['urn:tollgate:crm', 'crm', 'https://crm.example.com#x', 'ftp://crm.example.com']) {
      expect(() => new ProtectedResource({ resource, authorizationServers: [] })).toThrow(/http\(s\) URL/);
      expect(ProtectedResource.describing({ resource, authorizationServers: [] })).toBeUndefined();
    }
    expect(
      ProtectedResource.describing({ resource: 'https://crm.example.com', authorizationServers: [] }),
    ).toBeInstanceOf(ProtectedResource);
  });

  describe('metadataUrl', () => {
    const sut = new ProtectedResource({ resource: 'https://api.example.com/crm', authorizationServers: [] });

    it('is on the origin the client called', () => {
      expect(sut.metadataUrl('https', 'api.example.com')).toBe(
        'https://api.example.com/.well-known/oauth-protected-resource/crm',
      );
      expect(sut.metadataUrl('http', '127.0.0.1:7402')).toBe(
        'http://127.0.0.1:7402/.well-known/oauth-protected-resource/crm',
      );
      expect(sut.metadataUrl('http', '[::1]:7402')).toBe('http://[::1]:7402/.well-known/oauth-protected-resource/crm');
    });

    it.each([
      ['https', undefined],
      ['https', ''],
      ['https', 'evil.example/steal?'],
      ['https', 'user:pass@evil.example'],
      ['https', 'evil.example"'],
      ['https', 'evil.example\r\nSet-Cookie: a=b'],
      ['https', 'evil.example:99999999'],
      ['javascript', 'evil.example'],
    ])('is left out for %s with Host %j, which does not make a URL', (protocol, host) => {
      expect(sut.metadataUrl(protocol, host)).toBeUndefined();
    });
  });
});
