// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days); longer waits are re-armed.
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * What expires when: items grouped by their expiry instant (tokens issued in the same second share
 * one), and one timer, set for the earliest instant, calling `expire` for each item once it is due.
 * A broker with tens of thousands of sessions keeps one timer instead of one per session.
 */
export class ExpirySchedule<Item> {
  /**
   * Items by instant. An instant whose items all left keeps its (empty) set until it comes up, so a
   * device reconnecting with the same token again and again reuses it instead of queueing it anew.
   */
  private readonly due = new Map<number, Set<Item>>();
  /** The instants in `due`, each once, as a binary min-heap. */
  private readonly instants: number[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly expire: (item: Item) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** `expire(item)` will run at `at` (epoch ms), unless `delete` comes first. */
  add(item: Item, at: number): void {
    let items = this.due.get(at);
    if (!items) {
      items = new Set();
      this.due.set(at, items);
      this.push(at);
    }
    items.add(item);
    if (at < this.timerAt) this.arm();
  }

  delete(item: Item, at: number): void {
    this.due.get(at)?.delete(item);
  }

  /** How many instants are waiting (stale ones included): for tests. */
  get pendingInstants(): number {
    return this.instants.length;
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    while (this.instants.length > 0 && this.due.get(this.instants[0])!.size === 0) this.due.delete(this.pop());
    if (this.instants.length === 0) return;
    const at = this.instants[0];
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(at - this.now(), 0), MAX_TIMER_DELAY_MS));
    this.timer.unref();
  }

  private fire(): void {
    const now = this.now();
    while (this.instants.length > 0 && this.instants[0] <= now) {
      const at = this.pop();
      const items = this.due.get(at);
      this.due.delete(at);
      if (items) for (const item of items) this.expire(item);
    }
    this.arm();
  }

  private push(at: number): void {
    const heap = this.instants;
    heap.push(at);
    for (let child = heap.length - 1; child > 0;) {
      const parent = (child - 1) >> 1;
      if (heap[parent] <= heap[child]) break;
      [heap[parent], heap[child]] = [heap[child], heap[parent]];
      child = parent;
    }
  }

  private pop(): number {
    const heap = this.instants;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    heap[0] = last;
    for (let parent = 0; ;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < heap.length && heap[left] < heap[smallest]) smallest = left;
      if (right < heap.length && heap[right] < heap[smallest]) smallest = right;
      if (smallest === parent) return top;
      [heap[parent], heap[smallest]] = [heap[smallest], heap[parent]];
      parent = smallest;
    }
  }
}
