import { createServer, connect, type Server, type Socket } from 'node:net';

type Mode = 'forward' | 'silent' | 'refuse';

/**
 * A TCP proxy in front of a real server (Redis, PostgreSQL) that a test switches between
 * forwarding, refusing connections (closed port), and silence: connections are accepted and
 * nothing is ever answered, as from a hung server or a half-dead network path.
 */
export class FaultProxy {
  private mode: Mode = 'forward';
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** A proxy to the server of `url` (redis://…, postgres://…), forwarding. */
  static async start(url: string): Promise<FaultProxy> {
    const target = new URL(url);
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
    return new FaultProxy(
      server,
      { host: target.hostname, port: Number(target.port) },
      (server.address() as { port: number }).port,
    );
  }

  /** `url` pointed at this proxy instead of its server. */
  urlFor(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.port);
    return proxied.toString();
  }

  /** Passes bytes both ways again (listening again if it refused); connections held in silence are cut. */
  async forward(): Promise<void> {
    this.cutAll();
    if (this.mode === 'refuse') await this.listen();
    this.mode = 'forward';
  }

  /** Accepts connections and never answers; open connections stop passing bytes too. */
  async silence(): Promise<void> {
    if (this.mode === 'refuse') await this.listen();
    this.mode = 'silent';
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.removeAllListeners('data');
      socket.on('data', () => undefined);
    }
  }

  /** Closes the port: new connections are refused, open ones are reset. */
  async refuse(): Promise<void> {
    if (this.mode === 'refuse') return;
    this.mode = 'refuse';
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.cutAll();
    await closed;
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode !== 'forward') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut);
    upstream.on('close', cut);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private cutAll(): void {
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()),
    );
  }
}
