import { setFlagsFromString } from 'node:v8';

const NAMED_ON_THE_COMMAND_LINE = /^--(no-)?allocation[-_]site[-_]pretenuring$/;

/**
 * Turns off V8's allocation-site pretenuring in this process, unless Node was started with
 * `--allocation-site-pretenuring` or `--no-allocation-site-pretenuring`, which then decides.
 * Returns whether it turned it off.
 *
 * A broker under connection churn is the case pretenuring gets wrong. V8 sees a few connections'
 * objects (socket, streams, parser, aedes client) alive at a scavenge, concludes that their
 * allocation sites make long-lived objects, and from then on allocates them in the old generation.
 * They die a few milliseconds later but stay until a full collection, and every scavenge meanwhile
 * copies the young objects they point to: about 20 KB of old space per CONNECT, 3.5 MB between two
 * scavenges, 12 ms scavenges and a full collection every few seconds. Without it, a CONNECT costs
 * the broker about 80 µs less CPU at 1,000 a second and its p99 latency halves (docs/benchmarks.md,
 * "Garbage collection under connection churn").
 */
export function turnOffPretenuring(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  if (execArgv.some((argument) => NAMED_ON_THE_COMMAND_LINE.test(argument))) return false;
  setFlags('--no-allocation-site-pretenuring');
  return true;
}
