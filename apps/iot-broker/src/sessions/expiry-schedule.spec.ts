import { ExpirySchedule } from './expiry-schedule.js';

const DAY_MS = 86_400_000;

describe(ExpirySchedule.name, () => {
  let expired: string[];
  let sut: ExpirySchedule<string>;

  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
    expired = [];
    sut = new ExpirySchedule((item) => expired.push(item));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each item at its instant, not before, in order, with one timer for all', () => {
    const start = Date.now();
    sut.add('c', start + 3_000);
    sut.add('a', start + 1_000);
    sut.add('b', start + 2_000);
    sut.add('a2', start + 1_000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a', 'a2']);
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual(['a', 'a2', 'b']);
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual(['a', 'a2', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
    expect(sut.pendingInstants).toBe(0);
  });

  it('never expires a deleted item, and forgets an instant left empty when it comes up', () => {
    const start = Date.now();
    sut.add('gone', start + 1_000);
    sut.add('kept', start + 2_000);
    sut.delete('gone', start + 1_000);
    sut.delete('unknown', start + 5_000);
    vi.advanceTimersByTime(2_000);
    expect(expired).toEqual(['kept']);
    expect(sut.pendingInstants).toBe(0);
  });

  it('expires an item added later with an earlier instant on time', () => {
    const start = Date.now();
    sut.add('late', start + 60_000);
    vi.advanceTimersByTime(10_000);
    sut.add('early', start + 15_000);
    vi.advanceTimersByTime(5_000);
    expect(expired).toEqual(['early']);
    vi.advanceTimersByTime(45_000);
    expect(expired).toEqual(['early', 'late']);
  });

  it('waits past the 24.8-day timer limit until the instant really comes', () => {
    const at = Date.now() + 60 * DAY_MS;
    sut.add('far', at);
    vi.advanceTimersByTime(2 ** 31);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(60 * DAY_MS - 2 ** 31 - 1);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['far']);
  });

  it('expires an item added again after it was deleted', () => {
    const at = Date.now() + 1_000;
    sut.add('device', at);
    sut.delete('device', at);
    sut.add('device', at);
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual(['device']);
  });

  it('queues an instant once however often its items leave and come back', () => {
    const at = Date.now() + 60_000;
    for (let reconnect = 0; reconnect < 1_000; reconnect++) {
      sut.add('device', at);
      sut.delete('device', at);
    }
    sut.add('device', at);
    expect(sut.pendingInstants).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(expired).toEqual(['device']);
    expect(sut.pendingInstants).toBe(0);
  });
});
