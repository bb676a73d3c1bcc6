// What each feature tells the console's overview and search, in plain shapes: no entity crosses
// from one feature to another.
import { type FindOperator, ILike } from 'typeorm';

/** Credentials with an expiry and a revocation time, by state at one moment. */
export interface StateCounts {
  active: number;
  expired: number;
  revoked: number;
}

/** A live credential that expires soon, with the person or consumer it belongs to. */
export interface ExpiringCredential {
  kind: 'api_key' | 'pat';
  id: string;
  name: string;
  displayPrefix: string;
  expiresAt: Date;
  owner: { id: string; name: string };
}

export type DirectoryKind = 'client' | 'consumer' | 'api_key' | 'user' | 'pat';

/** One search result: what it is, how people know it, and (keys, PATs) whose it is. */
export interface DirectoryHit {
  kind: DirectoryKind;
  id: string;
  title: string;
  detail: string;
  owner?: { id: string; name: string };
}

/** Results per kind: search finds things by name, not lists them. */
export const HITS_PER_KIND = 5;

/**
 * A case-insensitive "contains" filter for `term` (LIKE on SQLite, ILIKE on PostgreSQL). `%` and `_`
 * in the term act as wildcards there, so callers keep only the rows that `contains` confirms.
 */
export function like(term: string): FindOperator<string> {
  return ILike<string>(`%${term}%`);
}

/** Whether any of `values` contains `term`, ignoring case (the exact test behind `like`). */
export function contains(term: string, ...values: (string | null | undefined)[]): boolean {
  const needle = term.toLowerCase();
  return values.some((value) => value?.toLowerCase().includes(needle));
}
