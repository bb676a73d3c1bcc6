import { Agent, request } from 'node:http';
import type { Latency } from '../benchmark.js';
import { percentile } from './statistics.js';

/** What the attackers saw during one run. */
export interface AttackReport extends Latency {
  requests: number;
  /** Answers per status, e.g. `{ 401: 400, 429: 12000 }`. */
  statuses: Record<number, number>;
}

/** The answers a wrong secret may get: refused (RFC 6749 §5.2), or refused and throttled. */
const EXPECTED_STATUSES = new Set([401, 429]);

/**
 * Guessers posting wrong client secrets to the token endpoint, each from its own source address
 * (a keep-alive agent bound to 127.0.0.2, 127.0.0.3, …: all of 127.0.0.0/8 is loopback on Linux,
 * so the server sees real, distinct caller addresses without trusting X-Forwarded-For). One request
 * per `send()`, round robin over the addresses, so the attack's rate follows whatever paces it.
 * Any answer other than 401 or 429 fails the run.
 */
export class WrongSecretAttack {
  private readonly agents: Agent[];
  private turn = 0;
  private inFlight = new Set<Promise<void>>();
  private latencies: number[] = [];
  private statuses: Record<number, number> = {};
  private failure?: string;

  constructor(
    private readonly url: URL,
    /** A new form body for each request (a wrong secret for some client id). */
    private readonly nextBody: () => string,
    readonly addresses: string[],
    socketsPerAddress: number,
  ) {
    this.agents = addresses.map(
      (localAddress) => new Agent({ keepAlive: true, maxSockets: socketsPerAddress, localAddress }),
    );
  }

  send(): void {
    const agent = this.agents[this.turn++ % this.agents.length];
    const body = this.nextBody();
    const started = performance.now();
    const sent = new Promise<void>((resolve) => {
      const outgoing = request(
        this.url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        },
        (answer) => {
          answer.resume();
          answer.on('end', () => {
            const status = answer.statusCode ?? 0;
            this.statuses[status] = (this.statuses[status] ?? 0) + 1;
            if (EXPECTED_STATUSES.has(status)) this.latencies.push(performance.now() - started);
            else this.failure ??= `a wrong secret was answered ${status}`;
            resolve();
          });
        },
      );
      outgoing.on('error', (error) => {
        this.failure ??= `a wrong secret's request failed: ${error.message}`;
        resolve();
      });
      outgoing.end(body);
    });
    this.inFlight.add(sent);
    void sent.then(() => this.inFlight.delete(sent));
  }

  /** Waits for the requests in flight, and returns what the attack saw since the last report; throws on an unexpected answer. */
  async report(): Promise<AttackReport> {
    await Promise.all(this.inFlight);
    const [latencies, statuses, failure] = [this.latencies, this.statuses, this.failure];
    [this.latencies, this.statuses, this.failure] = [[], {}, undefined];
    if (failure) throw new Error(`attackers: ${failure} (answers: ${JSON.stringify(statuses)})`);
    const sorted = Float64Array.from(latencies).sort();
    return { requests: latencies.length, statuses, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  }

  close(): void {
    for (const agent of this.agents) agent.destroy();
  }
}
