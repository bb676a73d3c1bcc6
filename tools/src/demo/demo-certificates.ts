import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DevelopmentCa, type IssuedCertificate } from '../certificates/development-ca.js';

/** Where the demo's TLS files are, for the services that read them. */
export interface DemoTlsFiles {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
}

/**
 * The demo's development CA (RFC 8705 story): a new one each run, in DEMO_DATA_DIR/tls (0600 files,
 * never committed). It certifies the auth-server's mTLS endpoint and the broker's TLS listener for
 * 127.0.0.1 and localhost, and the story asks it for device certificates.
 */
export class DemoCertificates {
  private constructor(
    readonly ca: DevelopmentCa,
    readonly files: DemoTlsFiles,
  ) {}

  static async create(dataDir: string): Promise<DemoCertificates> {
    const dir = join(dataDir, 'tls');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = await DevelopmentCa.create('Tollgate demo CA');
    const server = await ca.issue({
      commonName: 'localhost',
      usage: 'server',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const write = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content, { mode: 0o600 });
      chmodSync(path, 0o600);
      return path;
    };
    return new DemoCertificates(ca, {
      caFile: write('ca.crt', ca.certificatePem),
      serverCertFile: write('server.crt', server.certificatePem),
      serverKeyFile: write('server.key', server.privateKeyPem),
    });
  }

  /** A device's client certificate, from the demo CA. */
  device(id: string): Promise<IssuedCertificate> {
    return this.ca.issue({ commonName: id, usage: 'client' });
  }
}
