import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The key file: the device's private key (ES256), and whether the auth-server has registered it. */
interface KeyFile {
  privateJwk: JWK;
  /** Set once an admin approved the pairing: the client id the device was registered as. */
  pairedAs?: string;
}

/**
 * The device's own key (private_key_jwt, RFC 7523): generated on the first start, kept in a 0600
 * file, never sent anywhere; only its public half goes to the auth-server when the device pairs.
 */
export class DeviceKey {
  private constructor(
    private readonly path: string,
    private file: KeyFile,
    readonly privateKey: CryptoKey,
  ) {}

  static async loadOrCreate(path: string): Promise<DeviceKey> {
    if (existsSync(path)) {
      const file = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
      return new DeviceKey(path, file, (await importJWK(file.privateJwk, 'ES256')) as CryptoKey);
    }
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const key = new DeviceKey(path, { privateJwk: await exportJWK(privateKey) }, privateKey);
    key.save();
    return key;
  }

  /** The public half, as the pairing request sends it. */
  get publicJwk(): JWK {
    const { kty, crv, x, y } = this.file.privateJwk;
    return { kty, crv, x, y };
  }

  get pairedAs(): string | undefined {
    return this.file.pairedAs;
  }

  markPaired(clientId: string): void {
    this.file = { ...this.file, pairedAs: clientId };
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileSync(this.path, `${JSON.stringify(this.file)}\n`, { mode: 0o600 });
    chmodSync(this.path, 0o600);
  }
}
