import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP load balancer for tests, in front of several instances of one app: each connection goes to
 * the first backend that accepts it, in order, as a health-checked pool does once an instance stops.
 * Connections already open stay with their backend until it closes them.
 */
export class FailoverProxy {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly url: string,
  ) {}

  /** Listens on `port` (a free one when 0) and forwards to the backends on 127.0.0.1. */
  static async start(backendPorts: number[], port = 0): Promise<FailoverProxy> {
    const sockets = new Set<Socket>();
    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    };
    const server = createServer((client) => {
      track(client);
      client.pause();
      const forward = (index: number): void => {
        if (index >= backendPorts.length || client.destroyed) {
          client.destroy();
          return;
        }
        const upstream = connect(backendPorts[index], '127.0.0.1');
        upstream.once('error', () => forward(index + 1));
        upstream.once('connect', () => {
          track(upstream);
          client.pipe(upstream).pipe(client);
          client.on('close', () => upstream.destroy());
          upstream.on('close', () => client.destroy());
          client.resume();
        });
      };
      forward(0);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new FailoverProxy(server, sockets, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
