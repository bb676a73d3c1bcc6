/** How long a missing sequence number is waited for before it is taken as a rolled-back insert. */
export const GAP_TIMEOUT_MS = 5_000;

/**
 * Where one subscriber stands in the feed. Sequence numbers come from the database, and with
 * several auth-servers writing, a higher number can commit before a lower one; so the position a
 * subscriber may resume from (the watermark) only moves over numbers that were all delivered, or
 * waited for long enough to be gaps. Events above the watermark may be delivered twice after a
 * reconnect; applying a revocation twice is harmless.
 */
export class FeedCursor {
  private readonly delivered = new Set<number>();
  private gapSince?: number;

  constructor(
    private position: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Everything at or below this has been delivered (the SSE event id sent to the subscriber). */
  get watermark(): number {
    return this.position;
  }

  /** True if the event is new to this subscriber (and records it as delivered). */
  accept(seq: number): boolean {
    if (seq <= this.position || this.delivered.has(seq)) return false;
    this.delivered.add(seq);
    return true;
  }

  /** Moves the watermark over contiguous deliveries, and over gaps older than GAP_TIMEOUT_MS. */
  advance(): void {
    for (;;) {
      if (this.delivered.delete(this.position + 1)) {
        this.position += 1;
        this.gapSince = undefined;
        continue;
      }
      if (this.delivered.size === 0) {
        this.gapSince = undefined;
        return;
      }
      this.gapSince ??= this.now();
      if (this.now() - this.gapSince < GAP_TIMEOUT_MS) return;
      this.position = Math.min(...this.delivered) - 1;
      this.gapSince = undefined;
    }
  }
}
