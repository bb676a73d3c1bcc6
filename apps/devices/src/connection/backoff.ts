/**
 * Exponential backoff with jitter: attempt n waits between half and all of min·2ⁿ (capped at max),
 * so a fleet of devices that lost the broker together does not come back in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minDelayMs: number,
    private readonly maxDelayMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
