// The baseline broker of the MQTT benchmarks: aedes 1 as its README sets it up, with no
// authentication, authorisation, rate limits or packet guard, alone in its process. TCP_NODELAY is
// set as on Tollgate's broker, so both sides send small packets the same way. GET /health answers
// 200 once both listeners are up (the benchmark polls it).
import { Aedes } from 'aedes';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';

const { MQTT_PORT, HEALTH_PORT } = process.env;
if (!MQTT_PORT || !HEALTH_PORT) throw new Error('MQTT_PORT and HEALTH_PORT are required');

const broker = await Aedes.createBroker();
const mqtt = createServer({ noDelay: true }, broker.handle);
await new Promise<void>((resolve) => mqtt.listen(Number(MQTT_PORT), '127.0.0.1', resolve));
createHttpServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'ok', clients: broker.connectedClients }));
}).listen(Number(HEALTH_PORT), '127.0.0.1');

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    mqtt.close();
    broker.close(() => process.exit(0));
  });
}
