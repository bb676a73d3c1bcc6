import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createWebSocketStream, type WebSocket, WebSocketServer } from 'ws';
import { coalesceWrites } from './coalesced-writes.js';
import { guardLoggedConnection, type Peer } from './guarded-connection.js';
import type { ListenerOptions } from './tcp-listener.js';
import { certificateThumbprint, guardTlsServer, type TlsSettings, tlsServerOptions } from './tls-listener.js';

export const WEBSOCKET_PATH = '/mqtt';

export interface HttpListenerOptions extends ListenerOptions {
  connectTimeoutMs: number;
  health: () => object;
  /** Serve over TLS (wss, https): the client certificate, when sent, is the peer's, as on mqtts. */
  tls?: TlsSettings;
}

/** MQTT over WebSocket at /mqtt (subprotocol `mqtt`), and GET /health, on one HTTP (or HTTPS) server. */
export function createHttpListener(options: HttpListenerOptions): Server {
  const { aedes, admission, maxPacketSize, logger, tls } = options;
  // No compression: a small compressed frame must not inflate past the packet limit.
  const websockets = new WebSocketServer({ noServer: true, maxPayload: maxPacketSize, perMessageDeflate: false });
  const answer = (request: IncomingMessage, response: ServerResponse) => answerHttp(request, response, options.health);
  let server: Server;
  if (tls) {
    const https = createHttpsServer(tlsServerOptions(tls), answer);
    // Over TLS every connection is admitted before its handshake; in the clear, each upgrade is.
    guardTlsServer(https, { admission, logger });
    server = https;
  } else server = createServer(answer);

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(request) !== WEBSOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    const peer: Peer = tls
      ? {
          remoteAddress: request.socket.remoteAddress ?? 'unknown',
          transport: 'websocket-tls',
          certificateThumbprint: certificateThumbprint(request.socket as TLSSocket),
        }
      : { remoteAddress: request.socket.remoteAddress ?? 'unknown', transport: 'websocket' };
    if (!tls && !admission.admit(peer)) return refuseUpgrade(socket, 429, 'Too Many Requests');
    websockets.handleUpgrade(request, socket, head, (websocket) => {
      aedes.handle(guardLoggedConnection(mqttStream(websocket), { peer, maxPacketSize, logger }), request);
    });
  });

  server.maxConnections = options.maxConnections;
  // A client that opens a socket and never finishes its request or upgrade is dropped like a silent MQTT client.
  server.headersTimeout = options.connectTimeoutMs;
  server.requestTimeout = options.connectTimeoutMs;
  return server;
}

/**
 * The WebSocket as the byte stream aedes reads and writes. What the broker writes in one event-loop
 * turn (coalesceWrites) leaves as one binary message: MQTT packets need not align with WebSocket
 * frames (MQTT 3.1.1 §6), and without this each piece mqtt-packet writes (fixed header, topic,
 * payload) went out as a frame of its own.
 */
function mqttStream(websocket: WebSocket): Duplex {
  const stream = createWebSocketStream(websocket);
  stream._writev = (chunks, callback) =>
    stream._write(Buffer.concat(chunks.map(({ chunk }) => chunk as Buffer)), 'buffer' as BufferEncoding, callback);
  return coalesceWrites(stream);
}

function answerHttp(request: IncomingMessage, response: ServerResponse, health: () => object): void {
  const path = pathOf(request);
  if (path === '/health' && (request.method === 'GET' || request.method === 'HEAD'))
    return sendJson(response, 200, health());
  if (path === '/health') {
    response.setHeader('allow', 'GET, HEAD');
    return sendJson(
      response,
      405,
      problem(405, 'Method Not Allowed', `Use GET on ${path}`),
      'application/problem+json',
    );
  }
  if (path === WEBSOCKET_PATH)
    return sendJson(
      response,
      426,
      problem(426, 'Upgrade Required', 'Connect with a WebSocket (subprotocol mqtt)'),
      'application/problem+json',
    );
  sendJson(
    response,
    404,
    problem(404, 'Not Found', 'Nothing here: MQTT over WebSocket is at /mqtt, health at /health'),
    'application/problem+json',
  );
}

function sendJson(response: ServerResponse, status: number, body: object, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

function problem(status: number, title: string, detail: string) {
  return { type: 'about:blank', title, status, detail };
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function pathOf(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://broker').pathname;
  } catch {
    return '';
  }
}
