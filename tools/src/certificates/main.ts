import 'reflect-metadata';
import { ConfigError, loadEnv } from '@tollgate/platform';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { CertificatesEnv } from './certificates.env.js';
import { DevelopmentCa } from './development-ca.js';

/**
 * docker-compose's `certificates` service: on the first start, a development CA and a server
 * certificate for the mTLS token endpoint and MQTT over TLS (RFC 8705); on every later start, it
 * keeps what is there. For production, put your own PKI's files in the volumes instead.
 */
async function main(): Promise<void> {
  const env = loadEnv(CertificatesEnv, process.env);
  const files = {
    ca: join(env.TLS_DIR, 'ca.crt'),
    caKey: join(env.TLS_CA_KEY_DIR, 'ca.key'),
    cert: join(env.TLS_DIR, 'server.crt'),
    key: join(env.TLS_DIR, 'server.key'),
  };
  const present = Object.values(files).filter((file) => existsSync(file));
  if (present.length === 4) {
    console.log(`✓ TLS files in ${env.TLS_DIR} and ${env.TLS_CA_KEY_DIR}: kept`);
    return;
  }
  if (present.length > 0)
    throw new Error(
      `Only some TLS files exist (${present.join(', ')}): remove them, or add the rest (${Object.values(files).join(', ')})`,
    );
  const names = env.TLS_SERVER_NAMES.split(',');
  const ca = await DevelopmentCa.create('Tollgate compose CA');
  const server = await ca.issue({
    commonName: names[0],
    usage: 'server',
    dnsNames: names.filter((name) => !isIP(name)),
    ipAddresses: names.filter((name) => isIP(name)),
  });
  for (const dir of [env.TLS_DIR, env.TLS_CA_KEY_DIR]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (path: string, content: string) => {
    writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  };
  write(files.caKey, await ca.privateKeyPem());
  write(files.ca, ca.certificatePem);
  write(files.key, server.privateKeyPem);
  write(files.cert, server.certificatePem);
  console.log(`✓ development CA and server certificate for ${names.join(', ')} written to ${env.TLS_DIR}`);
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `✗ ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
