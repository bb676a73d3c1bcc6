import { ConflictException } from '@nestjs/common';
import type { AuditService } from '../audit/audit.service.js';
import type { ClientsService } from '../clients/clients.service.js';
import type { AccessTokenIssuer } from '../oauth/access-token.issuer.js';
import type { ResourcesService } from '../resources/resources.service.js';
import type { DeviceAuthorizationEntity } from './device-authorization.entity.js';
import { DevicePairingService } from './device-pairing.service.js';

const IOT = 'https://iot.tollgate.test';
const ADMIN = { type: 'user' as const, id: 'admin-1' };

describe(DevicePairingService.name, () => {
  it('does not leave the device registered when its controller cannot be given control of it', async () => {
    const registered = new Set(['hub-1']);
    const removed: string[] = [];
    const clients = {
      get: async (id: string) => {
        if (!registered.has(id)) throw new Error(`no client ${id}`);
        return { id, kind: 'device', grants: [{ resource: IOT, scopes: ['devices:read:*'] }] };
      },
      create: async (input: { id: string }) => registered.add(input.id),
      // The hub's grants were replaced by another admin at the same moment.
      update: async () => {
        throw new ConflictException('Client hub-1 was changed at the same time; retry');
      },
      remove: async (id: string) => {
        registered.delete(id);
        removed.push(id);
      },
    };
    const resources = {
      findByIndicator: async () => ({ id: 'r', indicator: IOT, scopes: ['device'], accessTokenTtl: 600 }),
      update: async () => undefined,
    };
    const sut = new DevicePairingService(
      clients as unknown as ClientsService,
      resources as unknown as ResourcesService,
      {} as AccessTokenIssuer,
      { record: async () => undefined } as unknown as AuditService,
    );
    const request = {
      id: 'request-1',
      resource: IOT,
      deviceId: 'thermostat-9',
      deviceJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' },
    } as unknown as DeviceAuthorizationEntity;

    await expect(sut.register(request, 'hub-1', ADMIN)).rejects.toBeInstanceOf(ConflictException);
    expect(removed).toEqual(['thermostat-9']);
    expect(registered.has('thermostat-9')).toBe(false);
  });
});
