import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { certificateThumbprint } from '@tollgate/credentials';
import { randomBytes, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** RFC 8705 §3.1 `x5t#S256`: base64url SHA-256 of the DER certificate. */
  thumbprint: string;
}

export interface CertificateRequest {
  commonName: string;
  /** `server`: TLS server authentication, with these DNS names and IP addresses; `client`: TLS client authentication. */
  usage: 'server' | 'client';
  dnsNames?: string[];
  ipAddresses?: string[];
  uris?: string[];
  emails?: string[];
  /** The whole subject as the certificate stores it (most significant RDN first), instead of `CN=<commonName>`. */
  subject?: x509.JsonName;
  /** Validity from now (negative: already expired), default 365 days. */
  days?: number;
}

/**
 * A certificate authority for development and tests (ECDSA P-256): it issues the broker's TLS
 * server certificate and the devices' client certificates. Its key lives in memory; nothing of it
 * is meant for production.
 */
export class DevelopmentCa {
  private constructor(
    private readonly keys: CryptoKeyPair,
    private readonly certificate: x509.X509Certificate,
  ) {}

  static async create(name = 'Tollgate development CA'): Promise<DevelopmentCa> {
    const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3650 * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    });
    return new DevelopmentCa(keys as CryptoKeyPair, certificate);
  }

  /** A CA saved before (its certificate and PKCS#8 private key, PEM), to issue more certificates. */
  static async fromPem(certificatePem: string, privateKeyPem: string): Promise<DevelopmentCa> {
    const certificate = new x509.X509Certificate(certificatePem);
    const der = Buffer.from(privateKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
    const publicKey = await certificate.publicKey.export(ALGORITHM, ['verify'], webcrypto as unknown as Crypto);
    return new DevelopmentCa({ privateKey, publicKey } as CryptoKeyPair, certificate);
  }

  get certificatePem(): string {
    return this.certificate.toString('pem');
  }

  /** The CA's private key (PKCS#8 PEM), to save it beside its certificate. */
  privateKeyPem(): Promise<string> {
    return pkcs8Pem(this.keys.privateKey);
  }

  async issue(request: CertificateRequest): Promise<IssuedCertificate> {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const days = request.days ?? 365;
    const notAfter = new Date(Date.now() + days * DAY_MS);
    const names = [
      ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ...(request.uris ?? []).map((value) => ({ type: 'url' as const, value })),
      ...(request.emails ?? []).map((value) => ({ type: 'email' as const, value })),
    ];
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: request.subject ?? `CN=${request.commonName}`,
      issuer: this.certificate.subject,
      notBefore: new Date(Math.min(Date.now() - 60_000, notAfter.getTime() - DAY_MS)),
      notAfter,
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(
          [request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth],
          false,
        ),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      ],
    });
    return issued(certificate, keys.privateKey);
  }

  /** A self-signed client certificate (RFC 8705 §2.2 `self_signed_tls_client_auth`), from no CA. */
  static async selfSigned(commonName: string): Promise<IssuedCertificate> {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${commonName}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 365 * DAY_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false)],
    });
    return issued(certificate, keys.privateKey);
  }
}

async function issued(certificate: x509.X509Certificate, privateKey: CryptoKey): Promise<IssuedCertificate> {
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: await pkcs8Pem(privateKey),
    thumbprint: certificateThumbprint(new Uint8Array(certificate.rawData)),
  };
}

async function pkcs8Pem(privateKey: CryptoKey): Promise<string> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** A positive 16-byte serial number (RFC 5280 §4.1.2.2). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}
