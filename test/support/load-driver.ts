import { setTimeout as sleep } from 'node:timers/promises';

/** A request the driver repeats. */
export interface LoadTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
}

/** One answer (status 0: no answer at all, e.g. connection refused or timed out). */
export interface Observation {
  target: string;
  /** When the request was sent (ms since epoch). */
  at: number;
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  /** The body of an error answer (its first 500 characters); empty for 2xx. */
  body: string;
}

/**
 * Keeps traffic going to every target (one request at a time per target, back to back) and records
 * every answer, for fault tests: what callers saw before, during and after a fault.
 */
export class LoadDriver {
  readonly observations: Observation[] = [];
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly targets: string[];

  private constructor(targets: LoadTarget[], pauseMs: number) {
    this.targets = targets.map((target) => target.name);
    this.loops = targets.map(async (target) => {
      while (this.running) {
        this.observations.push(await observe(target));
        await sleep(pauseMs);
      }
    });
  }

  static start(targets: LoadTarget[], { pauseMs = 25 }: { pauseMs?: number } = {}): LoadDriver {
    return new LoadDriver(targets, pauseMs);
  }

  /** Observations of `target`, optionally only those sent in [from, to). */
  of(target: string, from = 0, to = Number.POSITIVE_INFINITY): Observation[] {
    return this.observations.filter((o) => o.target === target && o.at >= from && o.at < to);
  }

  /** How many answers of each status `target` got in [from, to), e.g. `{ 200: 412, 503: 17 }`. */
  statuses(target: string, from?: number, to?: number): Record<number, number> {
    const counts: Record<number, number> = {};
    for (const o of this.of(target, from, to)) counts[o.status] = (counts[o.status] ?? 0) + 1;
    return counts;
  }

  /** Resolves once every target has been answered at least `count` more times. */
  async answered(count = 1, timeoutMs = 30_000): Promise<void> {
    const since = Date.now();
    while (this.targets.some((target) => this.of(target, since).length < count)) {
      if (Date.now() > since + timeoutMs)
        throw new Error(`the load driver's targets were not answered ${count} times within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  async stop(): Promise<Observation[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.observations;
  }
}

async function observe(target: LoadTarget): Promise<Observation> {
  const at = Date.now();
  try {
    const response = await fetch(target.url, { headers: target.headers, signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    return {
      target: target.name,
      at,
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: response.ok ? '' : body.slice(0, 500),
    };
  } catch {
    return { target: target.name, at, status: 0, retryAfter: null, contentType: null, body: '' };
  }
}
