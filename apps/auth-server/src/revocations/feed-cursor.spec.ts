import { FeedCursor, GAP_TIMEOUT_MS } from './feed-cursor.js';

describe(FeedCursor.name, () => {
  it('moves over contiguous deliveries and refuses duplicates', () => {
    const sut = new FeedCursor(4);
    expect([5, 6, 6, 4].map((seq) => sut.accept(seq))).toEqual([true, true, false, false]);
    sut.advance();
    expect(sut.watermark).toBe(6);
  });

  it('holds the watermark below a gap until the missing event arrives', () => {
    const sut = new FeedCursor(9);
    sut.accept(11);
    sut.advance();
    expect(sut.watermark).toBe(9);
    expect(sut.accept(10)).toBe(true);
    sut.advance();
    expect(sut.watermark).toBe(11);
  });

  it('treats a gap that outlives the timeout as a rolled-back insert', () => {
    let now = 0;
    const sut = new FeedCursor(9, () => now);
    sut.accept(11);
    sut.advance();
    now += GAP_TIMEOUT_MS - 1;
    sut.advance();
    expect(sut.watermark).toBe(9);
    now += 1;
    sut.advance();
    expect(sut.watermark).toBe(11);
    expect(sut.accept(10)).toBe(false);
  });
});
