import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// A port found free here is used a moment later by a process the test starts. Between the two, the
// port must not go to anybody else, and with test files running side by side (vitest.config.ts)
// plenty is going on: every listen(0) and every outgoing connection on the machine draws a port
// from the kernel's ephemeral range. So the ports handed out here lie below that range, where the
// kernel never hands out one by itself, and each Vitest worker draws from a block of its own, so
// two files running at once never draw the same port (VITEST_POOL_ID is 1…maxWorkers; 0 outside
// Vitest, e.g. in the benchmarks).
const FIRST_PORT = 20_000;
const BLOCK_SIZE = 1_000;
const ATTEMPTS = 50;

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32_768; // Linux's default
  }
}

const worker = Number(process.env.VITEST_POOL_ID ?? 0);
const blockStart = FIRST_PORT + worker * BLOCK_SIZE;
const ownBlock = Number.isInteger(worker) && blockStart + BLOCK_SIZE <= ephemeralRangeStart();
// Each test file loads this module anew: starting at a random place in the block, a file rarely
// draws a port the file before it used.
let next = Math.floor(Math.random() * BLOCK_SIZE);

/** A TCP port that was free a moment ago (for servers whose URL must be known before they listen). */
export async function freePort(): Promise<number> {
  if (ownBlock) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = blockStart + (next++ % BLOCK_SIZE);
      if (await isFree(port)) return port;
    }
  }
  return listenOnce(0);
}

async function isFree(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });
}
