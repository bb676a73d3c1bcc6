import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Server-provided DPoP nonces (RFC 9449 §8, §9), stateless: a nonce is the current time window and
 * an HMAC of it, so every instance sharing the secret issues and accepts the same nonces, and a
 * nonce stays valid for one to two windows.
 */
export class DpopNonces {
  private readonly secret: Buffer;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: { secret: Uint8Array | string; windowSeconds?: number; now?: () => number }) {
    this.secret = Buffer.from(options.secret);
    this.windowMs = (options.windowSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The nonce to send now (`DPoP-Nonce`). */
  current(): string {
    return this.nonceFor(this.window());
  }

  /** True for this window's nonce and the previous one's. */
  isValid(nonce: string | undefined): boolean {
    if (typeof nonce !== 'string' || nonce.length > 64) return false;
    const window = this.window();
    return [window, window - 1].some((candidate) => equal(nonce, this.nonceFor(candidate)));
  }

  private window(): number {
    return Math.floor(this.now() / this.windowMs);
  }

  private nonceFor(window: number): string {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(window));
    const mac = createHmac('sha256', this.secret).update(counter).digest().subarray(0, 16);
    return `${counter.toString('base64url')}.${mac.toString('base64url')}`;
  }
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
