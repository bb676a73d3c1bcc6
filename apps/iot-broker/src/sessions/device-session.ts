import type { Client } from 'aedes';
import type { AccessTokenClaims, Principal } from '@tollgate/verifier';
import type { TopicAcl } from '../access/topic-acl.js';
import type { Peer } from '../transport/guarded-connection.js';

/**
 * The kind of OAuth client behind a session, from its token's `client_kind` claim (set by the
 * auth-server); a token without it counts as a device, the stricter budget.
 */
export type ClientKind = 'device' | 'service';

/** An authenticated MQTT session: who connected, with which token, allowed to do what. */
export interface DeviceSession {
  /** The MQTT client id, equal to the token's `sub`. */
  readonly clientId: string;
  readonly kind: ClientKind;
  readonly principal: Principal;
  /** The verified claims of the access token presented at CONNECT. */
  readonly claims: AccessTokenClaims;
  /** What it may publish, subscribe to and receive, from the token's scopes. */
  readonly acl: TopicAcl;
  readonly peer: Peer;
  readonly connectedAt: Date;
  /** Set when the broker ends the session itself (token expired, revoked…); its will is then not published. */
  endedBy?: string;
}

const SESSION = Symbol('tollgate.deviceSession');

type ClientWithSession = Client & { [SESSION]?: DeviceSession };

/** Keeps the session on the aedes client object, where every hook can reach it. */
export function attachSession(client: Client, session: DeviceSession): void {
  (client as ClientWithSession)[SESSION] = session;
}

export function sessionOf(client: Client | null | undefined): DeviceSession | undefined {
  return client ? (client as ClientWithSession)[SESSION] : undefined;
}

/** A session may act only while its token is unexpired and the broker has not ended it. */
export function isActive(session: DeviceSession, now: number): boolean {
  return session.endedBy === undefined && session.principal.expiresAt!.getTime() > now;
}
