import { createServer } from 'node:net';
import { type PortName, PORT_VARIABLES } from './demo.config.js';

export interface BusyPort {
  port: number;
  /** The demo variable that moves it. */
  variable: string;
  problem: string;
}

/** Why a port cannot be used, or undefined when it is free (tried by listening on it briefly). */
function probe(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code ?? error.message})`),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** The demo's ports that are taken (empty when every one is free). */
export async function busyPorts(ports: Record<PortName, number>, host: string): Promise<BusyPort[]> {
  const results = await Promise.all(
    (Object.entries(ports) as [PortName, number][]).map(async ([name, port]): Promise<BusyPort | undefined> => {
      const problem = await probe(port, host);
      return problem === undefined ? undefined : { port, variable: PORT_VARIABLES[name], problem };
    }),
  );
  return results.filter((busy): busy is BusyPort => busy !== undefined);
}
