import type { Principal, SequencedRevocationEvent } from '@tollgate/verifier';
import type { DeviceSession } from './device-session.js';
import { sessionsRevokedBy } from './revoked-sessions.js';

const T = Date.parse('2030-01-01T00:00:00Z');

function session(principal: Partial<Principal>): DeviceSession {
  return {
    principal: {
      credentialType: 'access_token',
      credentialId: 'jti',
      subject: 'hub-1',
      clientId: 'hub-1',
      scopes: new Set(),
      audience: [],
      issuedAt: new Date(T),
      ...principal,
    },
  } as DeviceSession;
}

const device = session({});
/** Opened with a JWT exchanged for PAT pat-1 of user-1 (RFC 8693). */
const exchanged = session({ subject: 'user-1', clientId: 'gateway', userId: 'user-1', patId: 'pat-1' });

function matches(event: SequencedRevocationEvent, target: DeviceSession): boolean {
  return sessionsRevokedBy(event)?.(target) ?? false;
}

describe('sessionsRevokedBy', () => {
  const at = { seq: '1', at: T + 500 };

  it('ends sessions opened with a JWT exchanged before its owner or its PAT changed', () => {
    expect(matches({ type: 'subject.changed', kind: 'user', id: 'user-1', ...at }, exchanged)).toBe(true);
    expect(
      matches({ type: 'credential.changed', credentialType: 'pat', credentialId: 'pat-1', ...at }, exchanged),
    ).toBe(true);
    expect(
      matches({ type: 'credential.revoked', credentialType: 'pat', credentialId: 'pat-1', ...at }, exchanged),
    ).toBe(true);
  });

  it('keeps sessions opened after the change, of another user, or with a device’s own token', () => {
    expect(matches({ type: 'subject.changed', kind: 'user', id: 'user-1', seq: '1', at: T - 500 }, exchanged)).toBe(
      false,
    );
    expect(matches({ type: 'subject.changed', kind: 'user', id: 'user-2', ...at }, exchanged)).toBe(false);
    expect(matches({ type: 'subject.changed', kind: 'client', id: 'hub-1', ...at }, device)).toBe(false);
    expect(
      matches({ type: 'credential.revoked', credentialType: 'api_key', credentialId: 'pat-1', ...at }, exchanged),
    ).toBe(false);
  });
});
