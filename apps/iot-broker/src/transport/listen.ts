import type { AddressInfo, Server } from 'node:net';

/** Listens, turning "address in use" into a message that names the variable to change; resolves with the port. */
export function listenOn(
  server: Server,
  { port, host, portVariable }: { port: number; host: string; portVariable: string },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on ${host} is already in use. Set ${portVariable} to a free port.`, {
              cause: error,
            })
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
