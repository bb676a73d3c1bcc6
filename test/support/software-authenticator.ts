import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

const UP = 1 << 0;
const UV = 1 << 2;
const AT = 1 << 6;

interface StoredCredential {
  id: string;
  privateKey: KeyObject;
  rpId: string;
  userHandle: string;
  counter: number;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');
const uint32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/**
 * A passkey authenticator in software, for API-level tests: ES256 keys from node:crypto, attestation
 * `none`, and assertions signed over authenticatorData ‖ SHA-256(clientDataJSON) (WebAuthn §6.3.3),
 * answered as the browser's JSON (what @simplewebauthn/browser sends).
 */
export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    /** The origin the "browser" reports in the client data. */
    readonly origin: string,
    private readonly userVerified = true,
  ) {}

  /** navigator.credentials.create(): a new discoverable credential for the options' RP and user. */
  create(options: PublicKeyCredentialCreationOptionsJSON, { origin = this.origin } = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const rawId = randomBytes(16);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([UP | (this.userVerified ? UV : 0) | AT]),
      uint32(0),
      Buffer.alloc(16),
      Buffer.from([0, rawId.length]),
      rawId,
      Buffer.from(isoCBOR.encode(cose)),
    ]);
    const clientData = JSON.stringify({
      type: 'webauthn.create',
      challenge: options.challenge,
      origin,
      crossOrigin: false,
    });
    const attestation = isoCBOR.encode(
      new Map<string, unknown>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]) as never,
    );
    const id = b64url(rawId);
    this.credentials.push({ id, privateKey, rpId, userHandle: options.user.id, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        attestationObject: b64url(attestation),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** navigator.credentials.get(): an assertion by the first credential the options allow (any of the RP's when none are listed). */
  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    { origin = this.origin, credentialId }: { origin?: string; credentialId?: string } = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((credential) => credential.id));
    const credential = this.credentials.find(
      (candidate) =>
        candidate.rpId === rpId &&
        (credentialId ? candidate.id === credentialId : allowed.size === 0 || allowed.has(candidate.id)),
    );
    if (!credential) throw new Error(`No credential for ${rpId} among ${[...allowed].join(', ') || 'any'}`);
    credential.counter += 1;
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([UP | (this.userVerified ? UV : 0)]),
      uint32(credential.counter),
    ]);
    const clientData = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin }));
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
