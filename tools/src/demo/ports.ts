import { createServer } from 'node:net';
import { type PortName, PORT_VARIABLES } from './demo.config.js';

/** Why a port cannot be used, or undefined when it is free (tried by listening on it briefly). */
function probe(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code ?? error.message})`));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** One line per port that is taken, naming the variable to change; empty when every port is free. */
export async function busyPorts(ports: Record<PortName, number>, host: string): Promise<string[]> {
  const results = await Promise.all(
    (Object.entries(ports) as [PortName, number][]).map(async ([name, port]) => {
      const problem = await probe(port, host);
      return problem && `port ${port} on ${host} ${problem}: set ${PORT_VARIABLES[name]} to a free port`;
    }),
  );
  return results.filter((line): line is string => line !== undefined);
}
