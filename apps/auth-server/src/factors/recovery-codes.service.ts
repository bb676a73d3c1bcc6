import { Inject, Injectable } from '@nestjs/common';
import { hashCredential } from '@tollgate/credentials';
import { CLOCK, type Clock } from '@tollgate/platform';
import { randomBytes, randomUUID } from 'node:crypto';
import { RecoveryCodesRepository } from './recovery-codes.repository.js';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32, lower case: no i, l, o or u to misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 80 bits a code: 16 characters of 5 bits (10 random bytes exactly, no bias), too many to guess or to search a hash for. */
const CODE_BYTES = 10;

export interface RecoveryCodesStatus {
  remaining: number;
  total: number;
  generatedAt: Date | null;
}

/** A code in its one stored form: lower case, without spaces or dashes, with misread letters folded (Crockford). */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
}

function newCode(): string {
  const bytes = randomBytes(CODE_BYTES);
  let bits = 0;
  let value = 0;
  let code = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      code += ALPHABET[(value >> bits) & 31];
    }
  }
  return code.match(/.{4}/g)!.join('-');
}

/**
 * Recovery codes: ten at a time, shown once, stored as SHA-256 hashes (80 random bits each, so no
 * slow hash is needed), each good for one sign-in when the passkey or the phone is lost.
 */
@Injectable()
export class RecoveryCodesService {
  constructor(
    private readonly codes: RecoveryCodesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async status(userId: string): Promise<RecoveryCodesStatus> {
    const codes = await this.codes.listOf(userId);
    return {
      remaining: codes.filter((code) => !code.usedAt).length,
      total: codes.length,
      generatedAt: codes[0]?.createdAt ?? null,
    };
  }

  remaining(userId: string): Promise<number> {
    return this.codes.countUnused(userId);
  }

  /** New codes for the user (the old ones stop working); the only time they are seen. */
  async generate(userId: string): Promise<{ codes: string[]; generatedAt: Date; replaced: number }> {
    const generatedAt = this.clock.now();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
    const replaced = await this.codes.replace(
      userId,
      codes.map((code) => ({
        id: randomUUID(),
        userId,
        codeHash: hashCredential(normaliseRecoveryCode(code)),
        usedAt: null,
        createdAt: generatedAt,
      })),
    );
    return { codes, generatedAt, replaced };
  }

  /** Uses up the code if it is one of the user's unused codes. */
  redeem(userId: string, code: string): Promise<boolean> {
    return this.codes.use(userId, hashCredential(normaliseRecoveryCode(code)), this.clock.now());
  }

  async deleteOf(userId: string): Promise<void> {
    await this.codes.deleteOf(userId);
  }
}
