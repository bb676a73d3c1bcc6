import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePort } from '../../../test/support/free-port.js';
import { DevelopmentCa, type IssuedCertificate } from '../../../tools/src/certificates/development-ca.js';
import type { Benchmark } from '../benchmark.js';
import { AuthServerProcess, basicAuthorization, type ClientCredentials } from '../support/auth-server.process.js';
import { CleanupStack } from '../support/cleanup-stack.js';
import { IOT, type MqttEndpoint, startIotBroker } from '../support/mqtt-brokers.js';
import { connackCode, type DeviceLogin, mqttConnectContender } from '../support/mqtt-load.js';

const CONCURRENCY = 16;
const TOKEN_TTL_SECONDS = 86_400;

/**
 * What certificate binding (RFC 8705) costs a CONNECT: new MQTT-over-TLS connections per second,
 * every device presenting its own client certificate; ours with tokens bound to those certificates
 * (the broker compares `cnf.x5t#S256` with the certificate of the connection), the baseline with
 * bearer tokens on the same listener, the same certificates and the same handshakes.
 */
export const mqttConnectTls: Benchmark = {
  name: 'mqttConnectTls',
  description:
    'new MQTT-over-TLS connections/s, each device with its client certificate: certificate-bound tokens vs bearer tokens',
  kind: 'throughput',
  target: 0.9,

  async setup({ tempDir, connections = CONCURRENCY, log }) {
    const cleanup = new CleanupStack();
    try {
      const ca = await DevelopmentCa.create('Tollgate benchmark CA');
      const server = await ca.issue({ commonName: 'localhost', usage: 'server', ipAddresses: ['127.0.0.1'] });
      const files = {
        TLS_CERT_FILE: join(tempDir, 'server.crt'),
        TLS_KEY_FILE: join(tempDir, 'server.key'),
        TLS_CLIENT_CA_FILE: join(tempDir, 'ca.crt'),
      };
      writeFileSync(files.TLS_CERT_FILE, server.certificatePem);
      writeFileSync(files.TLS_KEY_FILE, server.privateKeyPem);
      writeFileSync(files.TLS_CLIENT_CA_FILE, ca.certificatePem);

      log('starting the auth-server with its mTLS endpoint');
      const mtlsPort = await freePort();
      const auth = await AuthServerProcess.start(tempDir, {
        env: { MTLS_PORT: String(mtlsPort), TLS_CERT_FILE: files.TLS_CERT_FILE, TLS_KEY_FILE: files.TLS_KEY_FILE },
      });
      cleanup.add(() => auth.stop());
      await auth.createResource(IOT, ['device'], TOKEN_TTL_SECONDS);

      const poolSize = Math.max(20, connections * 2);
      log(`registering ${poolSize} devices, each with a certificate, a bound token and a bearer token`);
      const bound: DeviceLogin[] = [];
      const bearer: DeviceLogin[] = [];
      for (let i = 1; i <= poolSize; i++) {
        const id = `bench-tls-device-${i}`;
        const client = await auth.createClient(id, [{ resource: IOT, scopes: ['device'] }], { id, kind: 'device' });
        const certificate = await ca.issue({ commonName: id, usage: 'client' });
        const presented = { cert: certificate.certificatePem, key: certificate.privateKeyPem };
        const mtlsToken = await boundToken(`https://127.0.0.1:${mtlsPort}/oauth/token`, client, certificate, ca);
        bound.push({ clientId: id, token: mtlsToken, certificate: presented });
        bearer.push({
          clientId: id,
          token: await auth.token(client, { resource: IOT, scope: 'device' }),
          certificate: presented,
        });
      }

      log('starting the broker with its TLS listener');
      const mqttsPort = await freePort();
      const broker = await startIotBroker(auth, { env: { MQTTS_PORT: String(mqttsPort), ...files } });
      cleanup.add(() => broker.stop());
      const endpoint: MqttEndpoint = { host: '127.0.0.1', port: mqttsPort, tls: { ca: ca.certificatePem } };

      // Binding must be on: a bound token over another device's certificate is refused with 5.
      const [first, second] = bound;
      const copied = await connackCode(endpoint, { ...first, certificate: second.certificate });
      if (copied !== 5) throw new Error(`the broker answered CONNACK ${copied} to a copied certificate-bound token`);
      for (const device of [...bound, ...bearer]) {
        const code = await connackCode(endpoint, device);
        if (code !== 0) throw new Error(`the broker refused ${device.clientId} over TLS with CONNACK ${code}`);
      }
      return {
        ours: mqttConnectContender('TLS, certificate-bound tokens', endpoint, bound, connections, [broker.server]),
        baseline: mqttConnectContender('TLS, bearer tokens', endpoint, bearer, connections, [broker.server]),
        conditions: { concurrentConnections: connections, devices: poolSize, certificates: 'ECDSA P-256' },
        teardown: () => cleanup.run(),
      };
    } catch (error) {
      await cleanup.run().catch(() => undefined);
      throw error;
    }
  },
};

/** A client-credentials token from the mTLS endpoint, bound to `certificate`. */
function boundToken(
  endpoint: string,
  client: ClientCredentials,
  certificate: IssuedCertificate,
  ca: DevelopmentCa,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request(endpoint, {
      method: 'POST',
      ca: ca.certificatePem,
      cert: certificate.certificatePem,
      key: certificate.privateKeyPem,
      headers: { authorization: basicAuthorization(client), 'content-type': 'application/x-www-form-urlencoded' },
    });
    call.on('response', (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        const body = JSON.parse(text) as { access_token?: string };
        if (response.statusCode === 200 && body.access_token) resolve(body.access_token);
        else reject(new Error(`the mTLS endpoint answered ${response.statusCode}: ${text.slice(0, 200)}`));
      });
    });
    call.on('error', reject);
    call.end(new URLSearchParams({ grant_type: 'client_credentials', resource: IOT, scope: 'device' }).toString());
  });
}
