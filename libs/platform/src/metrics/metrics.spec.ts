import Fastify from 'fastify';
import { createServer } from 'node:net';
import { instrumentHttp } from './http-metrics.js';
import { Metrics } from './metrics.js';
import { startMetricsListener } from './metrics-listener.js';

describe(Metrics.name, () => {
  it('keeps each app’s series apart and gives the same metric to every caller that asks for it', async () => {
    const a = new Metrics('app-a');
    const b = new Metrics('app-b');
    const counter = a.counter({ name: 'things_total', help: 'Things', labelNames: ['kind'] });
    expect(a.counter({ name: 'things_total', help: 'Things', labelNames: ['kind'] })).toBe(counter);
    counter.inc({ kind: 'x' });
    expect((await a.exposition()).body).toContain('things_total{kind="x",app="app-a"} 1');
    expect((await b.exposition()).body).not.toContain('things_total');
  });

  it('labels HTTP requests with the route template, never the URL, and puts unmatched paths in one series', async () => {
    const metrics = new Metrics('api');
    const fastify = Fastify();
    instrumentHttp(fastify, metrics);
    fastify.get('/items/:id', async () => ({ ok: true }));
    for (const id of ['1', '2', 'secret-looking-id']) await fastify.inject({ url: `/items/${id}` });
    for (const path of ['/probe-1', '/probe-2']) await fastify.inject({ url: path });
    const { body } = await metrics.exposition();
    expect(body).toContain(
      'http_server_request_duration_seconds_count{app="api",http_route="/items/:id",http_request_method="GET",http_response_status_code="200"} 3',
    );
    expect(body).toContain(
      'http_server_request_duration_seconds_count{app="api",http_route="(unmatched)",http_request_method="GET",http_response_status_code="404"} 2',
    );
    expect(body).not.toContain('secret-looking-id');
    expect(body).not.toContain('probe-1');
    await fastify.close();
  });
});

describe(startMetricsListener.name, () => {
  it('serves GET and HEAD /metrics only, and names METRICS_PORT when its port is taken', async () => {
    const metrics = new Metrics('api');
    const listener = await startMetricsListener(metrics, { port: 0, host: '127.0.0.1' });
    try {
      const get = await fetch(listener.url);
      expect(get.status).toBe(200);
      expect(await get.text()).toContain('process_cpu_user_seconds_total{app="api"}');
      const head = await fetch(listener.url, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const other = await fetch(listener.url.replace('/metrics', '/metrics/x'));
      expect(other.status).toBe(404);
      expect(await other.json()).toMatchObject({ status: 404, title: 'Not Found' });
      expect((await fetch(listener.url, { method: 'DELETE' })).status).toBe(405);
    } finally {
      await listener.close();
    }
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const port = (holder.address() as { port: number }).port;
    try {
      await expect(startMetricsListener(metrics, { port, host: '127.0.0.1' })).rejects.toThrow(
        `Port ${port} on 127.0.0.1 is already in use. Set METRICS_PORT to a free port.`,
      );
    } finally {
      holder.close();
    }
  });
});
