import { hasCredentialPrefix } from '@tollgate/credentials';
import {
  type AccessTokenClaims,
  type Principal,
  VerificationError,
  type VerifiedAccessToken,
} from '@tollgate/verifier';
import { DEVICE_ID, TopicAcl } from '../access/topic-acl.js';
import type { DeviceSession } from '../sessions/device-session.js';
import type { Peer } from '../transport/guarded-connection.js';

/** Verifies a JWT access token for this broker (JwtAccessTokenVerifier, or one that also checks revocations). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<VerifiedAccessToken>;
  /**
   * A token verified earlier, still valid and not revoked since, answered without waiting; undefined
   * when it must go through `verify` (which refuses it if it must be refused).
   */
  remembered?(token: string): VerifiedAccessToken | undefined;
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) a refusal may carry. */
export enum ConnackCode {
  IdentifierRejected = 2,
  ServerUnavailable = 3,
  BadUsernameOrPassword = 4,
  NotAuthorized = 5,
}

/** A refused CONNECT: the return code the device sees and a reason for the broker's log. */
export class ConnectRefusal extends Error {
  override name = 'ConnectRefusal';
  /** The token's principal, when a valid token was refused here (wrong device, certificate or scope): reported to the auth-server. */
  principal?: Principal;

  constructor(
    readonly returnCode: ConnackCode,
    readonly reason: string,
    description: string,
  ) {
    super(description);
  }
}

/** What a CONNECT packet says about who is connecting. */
export interface ConnectAttempt {
  /** The client id exactly as sent (aedes replaces an empty one with a generated id). */
  clientId: string;
  username?: string;
  password?: Buffer;
  will?: { topic: string; retain: boolean };
  peer: Peer;
}

/**
 * Decides whether a CONNECT opens a session: the client id is a device id, the username repeats
 * it, the password is an access token for this broker whose `sub` is that id and whose scope grants
 * something here, and the will (if any) is a topic the session could publish itself.
 */
export class DeviceAuthenticator {
  private readonly now: () => number;
  /**
   * The ACL a token's claims grant, computed once per token: the verifier hands back the same
   * claims object for as long as it remembers the token, so a device reconnecting with it skips
   * parsing its scopes again, and the entry goes when the verifier forgets the token.
   */
  private readonly aclOfClaims = new WeakMap<AccessTokenClaims, TopicAcl>();

  constructor(
    private readonly verifier: AccessTokenVerifier,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  async authenticate(attempt: ConnectAttempt): Promise<DeviceSession> {
    return this.openSession(attempt, await this.verify(this.tokenOf(attempt)));
  }

  /**
   * `authenticate` without waiting, for a token the verifier remembers (a device reconnecting with
   * the token it used before): the session, or undefined when the token must be verified first.
   * Refuses exactly as `authenticate` does.
   */
  authenticateRemembered(attempt: ConnectAttempt): DeviceSession | undefined {
    const verified = this.verifier.remembered?.(this.tokenOf(attempt));
    return verified && this.openSession(attempt, verified);
  }

  /** The checks that need no verification: the client id, the username, and a JWT as the password. */
  private tokenOf(attempt: ConnectAttempt): string {
    const { clientId } = attempt;
    if (clientId === '')
      throw new ConnectRefusal(ConnackCode.IdentifierRejected, 'empty_client_id', 'A client id is required');
    if (!DEVICE_ID.test(clientId))
      throw new ConnectRefusal(
        ConnackCode.IdentifierRejected,
        'invalid_client_id',
        'The client id is not a valid device id',
      );
    if (attempt.username === undefined || !attempt.password?.length) {
      throw new ConnectRefusal(
        ConnackCode.BadUsernameOrPassword,
        'missing_credentials',
        'A username and an access token (as the password) are required',
      );
    }
    if (attempt.username !== clientId)
      throw new ConnectRefusal(ConnackCode.NotAuthorized, 'username_mismatch', 'The username must equal the client id');

    const token = attempt.password.toString('utf8');
    if (hasCredentialPrefix(token)) {
      throw new ConnectRefusal(
        ConnackCode.BadUsernameOrPassword,
        'opaque_credential',
        'API keys and personal access tokens are not accepted here; use an access token',
      );
    }
    return token;
  }

  private async verify(token: string): Promise<VerifiedAccessToken> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof VerificationError)) throw error;
      if (error.code === 'temporarily_unavailable')
        throw new ConnectRefusal(ConnackCode.ServerUnavailable, error.reason, error.description);
      throw new ConnectRefusal(ConnackCode.BadUsernameOrPassword, error.reason, error.description);
    }
  }

  /** The decisions on a verified token; a refusal names the token's principal. */
  private openSession(attempt: ConnectAttempt, verified: VerifiedAccessToken): DeviceSession {
    try {
      return this.sessionFor(attempt, verified);
    } catch (error) {
      if (error instanceof ConnectRefusal) error.principal = verified.principal;
      throw error;
    }
  }

  /** The decisions on a verified token: it is this device's, unexpired, and grants something here. */
  private sessionFor(attempt: ConnectAttempt, { principal, claims }: VerifiedAccessToken): DeviceSession {
    const { clientId } = attempt;
    if (principal.subject !== clientId)
      throw new ConnectRefusal(
        ConnackCode.NotAuthorized,
        'subject_mismatch',
        'The access token was issued to another client',
      );
    // A sender-constrained token (RFC 7800 `cnf`) opens a session only on the TLS connection of the
    // client certificate it is bound to (RFC 8705 §3); a DPoP key cannot be proven in a CONNECT.
    const bound = principal.confirmation;
    if (bound) {
      if (bound.jkt !== undefined || bound.x5tS256 === undefined)
        throw new ConnectRefusal(
          ConnackCode.BadUsernameOrPassword,
          'sender_constrained',
          'The access token is bound to a key this connection cannot prove (cnf)',
        );
      if (attempt.peer.certificateThumbprint !== bound.x5tS256)
        throw new ConnectRefusal(
          ConnackCode.NotAuthorized,
          'certificate_mismatch',
          attempt.peer.certificateThumbprint
            ? 'The access token is bound to another client certificate (cnf x5t#S256)'
            : 'The access token is bound to a client certificate: connect over TLS (mqtts) with it',
        );
    }
    // The verifier tolerates a few seconds of clock skew; a session, though, never starts past `exp`.
    if (principal.expiresAt!.getTime() <= this.now())
      throw new ConnectRefusal(ConnackCode.BadUsernameOrPassword, 'expired', 'The access token has expired');

    // `sub` is the client id (checked above), so the claims alone decide the ACL.
    let acl = this.aclOfClaims.get(claims);
    if (!acl) {
      acl = TopicAcl.fromScope(claims.scope, clientId);
      this.aclOfClaims.set(claims, acl);
    }
    if (acl.isEmpty)
      throw new ConnectRefusal(
        ConnackCode.NotAuthorized,
        'no_broker_scope',
        'The access token grants nothing on this broker',
      );
    if (attempt.will && !acl.mayPublish(attempt.will.topic, { retain: attempt.will.retain })) {
      throw new ConnectRefusal(
        ConnackCode.NotAuthorized,
        'will_not_allowed',
        'The will topic is not one this client may publish',
      );
    }
    const kind = claims['client_kind'] === 'service' ? 'service' : 'device';
    return { clientId, kind, principal, claims, acl, peer: attempt.peer, connectedAt: new Date(this.now()) };
  }
}
