import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './config-dir.js';

/** The CLI's sign-in: a PAT a person approved (RFC 8628), for one auth-server. */
export interface StoredCredential {
  issuer: string;
  token: string;
  scope: string;
  /** ISO 8601, or null when it does not expire. */
  expiresAt: string | null;
  /** Whom it acts for (from /api/me at sign-in), for messages. */
  user: string;
}

/**
 * The credential file: readable and writable by its owner only (0600, in a 0700 folder), never
 * printed. One sign-in at a time; `tollgate login` replaces it, `tollgate logout` removes it.
 */
export class CredentialsStore {
  readonly path: string;

  constructor(private readonly directory = configDir()) {
    this.path = join(directory, 'credentials.json');
  }

  read(): StoredCredential | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      const stored = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<StoredCredential>;
      return typeof stored.token === 'string' && typeof stored.issuer === 'string'
        ? (stored as StoredCredential)
        : undefined;
    } catch {
      return undefined;
    }
  }

  write(credential: StoredCredential): void {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    writeFileSync(this.path, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600 });
    // writeFileSync keeps the mode of a file that already exists.
    chmodSync(this.path, 0o600);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
