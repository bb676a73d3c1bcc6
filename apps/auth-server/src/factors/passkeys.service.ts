import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON, isoBase64URL } from '@simplewebauthn/server/helpers';
import { hashCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import { randomUUID } from 'node:crypto';
import type { UserEntity } from '../users/users.repository.js';
import { PasskeyDto } from './dto/passkey.response.js';
import { type PasskeyEntity, PasskeysRepository } from './passkeys.repository.js';
import { type WebAuthnCeremony, WebAuthnChallengesRepository } from './webauthn-challenges.repository.js';
import { WebAuthnRelyingParty } from './webauthn-relying-party.js';

/** How long a browser has to answer a challenge (WebAuthn's own timeout is the same). */
const CHALLENGE_TTL_MS = 5 * 60_000;

/** What an assertion proved, or why it did not (for the audit log; the caller answers one way for all). */
export type PasskeyCheck = { ok: true; passkey: PasskeyEntity } | { ok: false; reason: string };

export interface AssertionExpectations {
  /** The pending sign-in or session that asked for the challenge. */
  boundTo: string;
  /** The passkey must be this user's (a second factor, a re-authentication); undefined: anyone's (passkey sign-in). */
  userId?: string;
  /** A passkey that signs in alone must have verified its user (PIN, biometrics): it stands for two factors. */
  requireUserVerification: boolean;
}

/**
 * Passkeys (WebAuthn, verified with SimpleWebAuthn): registration from account settings, and the
 * assertions that sign a person in or confirm it is them. Challenges are stored server side,
 * single use, five minutes, bound to the session or pending sign-in that asked.
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly passkeys: PasskeysRepository,
    private readonly challenges: WebAuthnChallengesRepository,
    private readonly relyingParty: WebAuthnRelyingParty,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(userId: string): Promise<PasskeyDto[]> {
    return (await this.passkeys.listOf(userId)).map(PasskeyDto.from);
  }

  count(userId: string): Promise<number> {
    return this.passkeys.countOf(userId);
  }

  /** Options for navigator.credentials.create(): a discoverable credential, none the user already has. */
  async registrationOptions(user: UserEntity, sessionId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.passkeys.listOf(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.relyingParty.name,
      rpID: this.relyingParty.id,
      // The user handle is the user's id (a random UUID): no personal data on the authenticator beyond the names below.
      userID: new TextEncoder().encode(user.id),
      userName: user.email,
      userDisplayName: user.displayName,
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey) })),
      authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
    });
    await this.remember(options.challenge, 'registration', sessionId, user.id);
    return options;
  }

  /** Verifies the browser's answer to the registration challenge and stores the passkey. */
  async register(
    userId: string,
    sessionId: string,
    name: string,
    response: RegistrationResponseJSON,
  ): Promise<PasskeyEntity> {
    const challenge = await this.take(response.response.clientDataJSON, 'registration', sessionId);
    if (!challenge || challenge.userId !== userId) throw staleChallenge();
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.value,
        expectedOrigin: this.relyingParty.origin,
        expectedRPID: this.relyingParty.id,
        requireUserVerification: false,
      });
    } catch (error) {
      throw invalidPasskey(`The passkey could not be verified: ${(error as Error).message}`);
    }
    if (!verified.verified) throw invalidPasskey('The passkey could not be verified');
    const { credential, credentialBackedUp } = verified.registrationInfo;
    if (await this.passkeys.existsWithCredentialId(credential.id))
      throw new ConflictException('This passkey is registered already');
    const passkey: PasskeyEntity = {
      id: randomUUID(),
      userId,
      credentialId: credential.id,
      publicKey: isoBase64URL.fromBuffer(credential.publicKey),
      signCount: credential.counter,
      transports: credential.transports ?? response.response.transports ?? [],
      name,
      backedUp: credentialBackedUp,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    };
    await this.passkeys.insert(passkey);
    return passkey;
  }

  async rename(userId: string, id: string, name: string): Promise<PasskeyEntity> {
    const passkey = await this.require(userId, id);
    await this.passkeys.rename(id, name);
    return { ...passkey, name };
  }

  async remove(userId: string, id: string): Promise<PasskeyEntity> {
    const passkey = await this.require(userId, id);
    if (!(await this.passkeys.delete(userId, id))) throw notFound(id);
    return passkey;
  }

  async removeAll(userId: string): Promise<number> {
    return this.passkeys.deleteAllOf(userId);
  }

  /**
   * Options for navigator.credentials.get(): any discoverable passkey of this site (no user: a
   * passkey sign-in), or one of the user's.
   */
  async authenticationOptions(
    boundTo: string,
    userId: string | null,
    userVerification: 'required' | 'preferred',
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const allowed = userId ? await this.passkeys.listOf(userId) : [];
    if (userId && allowed.length === 0)
      throw new ProblemException(409, 'You have no passkey: use another way to confirm it is you', {
        code: 'no_passkey',
      });
    const options = await generateAuthenticationOptions({
      rpID: this.relyingParty.id,
      allowCredentials: allowed.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey) })),
      timeout: CHALLENGE_TTL_MS,
      userVerification,
    });
    await this.remember(options.challenge, 'authentication', boundTo, userId);
    return options;
  }

  /** Checks an assertion against its challenge and the stored public key; records the use when it holds. */
  async verifyAssertion(response: AuthenticationResponseJSON, expected: AssertionExpectations): Promise<PasskeyCheck> {
    const challenge = await this.take(response.response.clientDataJSON, 'authentication', expected.boundTo);
    if (!challenge) return { ok: false, reason: 'no challenge in progress' };
    const passkey = await this.passkeys.findByCredentialId(response.id);
    if (!passkey) return { ok: false, reason: 'unknown passkey' };
    const userId = expected.userId ?? challenge.userId;
    if ((userId && passkey.userId !== userId) || (challenge.userId && challenge.userId !== passkey.userId))
      return { ok: false, reason: 'another user’s passkey' };
    const handle = response.response.userHandle;
    if (handle && decodeText(handle) !== passkey.userId) return { ok: false, reason: 'user handle mismatch' };
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.value,
        expectedOrigin: this.relyingParty.origin,
        expectedRPID: this.relyingParty.id,
        credential: {
          id: passkey.credentialId,
          publicKey: isoBase64URL.toBuffer(passkey.publicKey),
          counter: passkey.signCount,
          transports: transportsOf(passkey),
        },
        requireUserVerification: expected.requireUserVerification,
      });
    } catch (error) {
      return { ok: false, reason: (error as Error).message.slice(0, 200) };
    }
    if (!verified.verified) return { ok: false, reason: 'signature invalid' };
    const at = this.clock.now();
    const { newCounter, credentialBackedUp } = verified.authenticationInfo;
    await this.passkeys.recordUse(passkey.id, { signCount: newCounter, backedUp: credentialBackedUp, at });
    return { ok: true, passkey: { ...passkey, signCount: newCounter, backedUp: credentialBackedUp, lastUsedAt: at } };
  }

  async purgeChallenges(now: Date): Promise<number> {
    return this.challenges.purge(now);
  }

  private async remember(
    challenge: string,
    ceremony: WebAuthnCeremony,
    boundTo: string,
    userId: string | null,
  ): Promise<void> {
    await this.challenges.replace({
      id: hashCredential(challenge),
      ceremony,
      boundTo,
      userId,
      expiresAt: new Date(this.clock.now().getTime() + CHALLENGE_TTL_MS),
    });
  }

  /** The challenge the answer's client data names, taken out of the store if it is this asker's and current. */
  private async take(
    clientDataJSON: string,
    ceremony: WebAuthnCeremony,
    boundTo: string,
  ): Promise<{ value: string; userId: string | null } | null> {
    let value: string;
    try {
      value = decodeClientDataJSON(clientDataJSON).challenge;
    } catch {
      throw invalidPasskey('clientDataJSON is not base64url-encoded JSON');
    }
    if (typeof value !== 'string') throw invalidPasskey('clientDataJSON names no challenge');
    const stored = await this.challenges.take(hashCredential(value), ceremony, boundTo, this.clock.now());
    return stored && { value, userId: stored.userId };
  }

  private async require(userId: string, id: string): Promise<PasskeyEntity> {
    const passkey = await this.passkeys.findOf(userId, id);
    if (!passkey) throw notFound(id);
    return passkey;
  }
}

function transportsOf(passkey: PasskeyEntity): AuthenticatorTransportFuture[] {
  return passkey.transports as AuthenticatorTransportFuture[];
}

function decodeText(base64url: string): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(isoBase64URL.toBuffer(base64url));
  } catch {
    return null;
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`Passkey ${id} not found`);
}

function invalidPasskey(detail: string): ProblemException {
  return new ProblemException(400, detail, { code: 'passkey_invalid' });
}

function staleChallenge(): ProblemException {
  return new ProblemException(
    400,
    'This answer is to no challenge in progress here (it expired, was used, or another browser asked for it): start again',
    { code: 'challenge_invalid' },
  );
}
