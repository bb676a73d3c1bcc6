import { Injectable, type OnModuleInit } from '@nestjs/common';
import { argon2id, hash, needsRehash, verify } from 'argon2';

/**
 * argon2id with OWASP's baseline parameters (19 MiB, 2 passes, 1 lane): about 30 ms on one core,
 * so logins stay cheap for us and expensive for an offline attacker. Stored hashes made with other
 * parameters are upgraded at the next successful sign-in.
 */
const OPTIONS = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const DUMMY_PASSWORD = 'tollgate dummy password for constant-time checks';

/** NIST SP 800-63B §5.1.1.2: Unicode passwords are normalised (NFKC) before hashing. */
function normalise(password: string): string {
  return password.normalize('NFKC');
}

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash uses outdated parameters: store a fresh one. */
  needsRehash: boolean;
}

@Injectable()
export class PasswordHasher implements OnModuleInit {
  private dummyHash?: Promise<string>;

  /** Ready before the first sign-in, so that one does not take longer for an unknown email. */
  onModuleInit(): void {
    this.dummyHash ??= this.hash(DUMMY_PASSWORD);
  }

  hash(password: string): Promise<string> {
    return hash(normalise(password), OPTIONS);
  }

  /**
   * Checks a password against a stored hash. With no hash (unknown user, service account) a dummy
   * hash is verified instead, so the answer takes as long as a real check (no user enumeration by timing).
   */
  async verify(storedHash: string | null, password: string): Promise<PasswordCheck> {
    this.dummyHash ??= this.hash(DUMMY_PASSWORD);
    let valid = false;
    try {
      valid = await verify(storedHash ?? (await this.dummyHash), normalise(password));
    } catch {
      valid = false;
    }
    if (!storedHash || !valid) return { valid: false, needsRehash: false };
    return { valid: true, needsRehash: needsRehash(storedHash, OPTIONS) };
  }
}
