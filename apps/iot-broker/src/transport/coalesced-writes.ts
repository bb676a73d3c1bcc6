import type { Duplex } from 'node:stream';

/**
 * Sends what the broker writes to a connection in one turn of the event loop with one system call.
 *
 * aedes writes every packet on its own (mqtt-packet corks the connection only until the next tick),
 * so a subscriber receiving a stream of messages cost one `writev` per message, and that system call
 * was over half of the broker's CPU when relaying telemetry. Here the first write of a turn corks
 * the connection, and it is uncorked once the turn's I/O callbacks have run (`setImmediate`): every
 * packet written meanwhile leaves in one `writev`, at most one turn later than it would have. No
 * more than the connection's high-water mark is held: past it, what is held leaves at once, so a
 * burst waits in the kernel as before, not here, and a backlog still means a subscriber not reading.
 *
 * Nothing written is held back from a connection that closes: `end()` uncorks by itself, and
 * `destroy()` here sends what is held before it closes, as the next tick would have before.
 */
export function coalesceWrites<Connection extends Duplex>(connection: Connection): Connection {
  let holding = false;
  let releaseQueued = false;
  const release = () => {
    if (!holding) return;
    holding = false;
    connection.uncork();
  };
  const endOfTurn = () => {
    releaseQueued = false;
    release();
  };
  const write = connection.write;
  connection.write = function coalescedWrite(this: Connection, ...args: Parameters<Duplex['write']>) {
    if (!holding && !this.destroyed) {
      holding = true;
      this.cork();
      if (!releaseQueued) {
        releaseQueued = true;
        setImmediate(endOfTurn);
      }
    }
    const belowHighWaterMark = write.apply(this, args);
    if (!belowHighWaterMark) release();
    return belowHighWaterMark;
  } as Duplex['write'];
  const destroy = connection.destroy;
  connection.destroy = function releasedDestroy(this: Connection, error?: Error) {
    release();
    return destroy.call(this, error);
  };
  return connection;
}
