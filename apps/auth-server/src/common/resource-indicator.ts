/**
 * RFC 8707 §2: a resource indicator is an absolute URI without a fragment (and should have no query).
 * Returns the reason it is not acceptable, or null.
 */
export function resourceIndicatorProblem(value: string): string | null {
  if (value.length > 255) return 'must be at most 255 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URI';
  }
  if (value.includes('#')) return 'must not contain a fragment';
  if (url.search) return 'must not contain a query';
  return null;
}
