import { createServer, type Server } from 'node:http';

/** GET /health answers the report as JSON; everything else is 404. */
export function createHealthServer(report: () => object): Server {
  return createServer((request, response) => {
    const healthy = request.url?.split('?')[0] === '/health' && (request.method === 'GET' || request.method === 'HEAD');
    const status = healthy ? 200 : 404;
    const body = JSON.stringify(
      healthy ? report() : { type: 'about:blank', title: 'Not Found', status, detail: 'Health is at GET /health' },
    );
    response.writeHead(status, {
      'content-type': healthy ? 'application/json' : 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
}
