/** The seed (or the demo built on it) cannot go on; the message says why and what to change. */
export class SeedError extends Error {
  override name = 'SeedError';
}
