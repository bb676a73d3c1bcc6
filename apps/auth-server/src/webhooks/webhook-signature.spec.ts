import { signWebhook } from './webhook-signature.js';

describe(signWebhook.name, () => {
  it('reproduces the Standard Webhooks reference vector (whsec_ secrets are base64)', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('uses other secrets as UTF-8 bytes and covers id, timestamp and body', () => {
    const base = signWebhook('plain-secret-0123456789abcdef', 'id-1', 1700000000, '{}');
    expect(base).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(signWebhook('plain-secret-0123456789abcdef', 'id-2', 1700000000, '{}')).not.toBe(base);
    expect(signWebhook('plain-secret-0123456789abcdef', 'id-1', 1700000001, '{}')).not.toBe(base);
    expect(signWebhook('plain-secret-0123456789abcdef', 'id-1', 1700000000, '{ }')).not.toBe(base);
  });
});
