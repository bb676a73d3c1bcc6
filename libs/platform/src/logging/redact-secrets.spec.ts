import { generateCredential, parseCredential } from '@tollgate/credentials';
import { redactSecrets, redactUrlPassword } from './redact-secrets.js';

const KEY = generateCredential('api_key', { environment: 'live' });
const TEST_KEY = generateCredential('api_key', { environment: 'test' });
const PAT = generateCredential('pat');
const SECRET = generateCredential('client_secret');
// RFC 7519 §3.1's example, as any signed JWT looks.
const JWT =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe(redactSecrets.name, () => {
  it.each([
    ['an API key in a query', `/contacts?filter=${KEY}&limit=5`, '/contacts?filter=tgk_live_[REDACTED]&limit=5'],
    ['a test API key in a path', `/keys/${TEST_KEY}/usage`, '/keys/tgk_test_[REDACTED]/usage'],
    ['a PAT in a header value', `"x-forwarded-token":"Bearer ${PAT}"`, '"x-forwarded-token":"Bearer tgp_[REDACTED]"'],
    ['a client secret in a message', `secret ${SECRET} refused`, 'secret tgs_[REDACTED] refused'],
    ['a mistyped credential (bad checksum)', `${KEY.slice(0, -1)}x`, 'tgk_live_[REDACTED]'],
    ['a truncated credential', KEY.slice(0, 20), 'tgk_live_[REDACTED]'],
    ['a credential glued to other text', `key=abc${PAT}`, 'key=abctgp_[REDACTED]'],
    ['a JWT', `?q=${JWT}`, '?q=[REDACTED JWT]'],
    [
      'an unsigned JWT (empty signature)',
      `token ${JWT.split('.').slice(0, 2).join('.')}. end`,
      'token [REDACTED JWT] end',
    ],
    ['a PostgreSQL URL', 'postgres://app:hunter2@db:5432/app', 'postgres://app:***@db:5432/app'],
    [
      'a Redis URL without a user',
      '"redis://:hunter2@redis:6379","next":"a@b"',
      '"redis://:***@redis:6379","next":"a@b"',
    ],
    ['a password holding "@"', 'postgres://app:hun@ter2@db/app', 'postgres://app:***@db/app'],
  ])('redacts %s', (_case, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it.each([
    ['a display prefix', `key ${parseCredential(KEY)!.displayPrefix}… rolled`],
    ['a URL with a port', 'http://127.0.0.1:7400/oauth/token?resource=https://crm.tollgate.local'],
    ['a URL with a user only', 'postgres://app@db:5432/app'],
    ['a JWT-like word without segments', 'eyJhbGciOi is base64 for {"alg":'],
    ['ordinary text', 'tg_ tgx_abcdefgh tgs_ tgk_live_ tgs_Ab3x'],
  ])('leaves %s as it is', (_case, text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts every value of a JSON line, keeping it valid JSON', () => {
    const line = JSON.stringify({
      msg: `refused ${KEY}`,
      headers: { 'x-custom': PAT },
      body: { notes: [SECRET, JWT] },
      db: 'postgres://u:pw@db/x',
    });

    const redacted = redactSecrets(line);

    expect(JSON.parse(redacted)).toEqual({
      msg: 'refused tgk_live_[REDACTED]',
      headers: { 'x-custom': 'tgp_[REDACTED]' },
      body: { notes: ['tgs_[REDACTED]', '[REDACTED JWT]'] },
      db: 'postgres://u:***@db/x',
    });
  });
});

describe(redactUrlPassword.name, () => {
  it('hides only the password of each URL', () => {
    expect(redactUrlPassword(`postgres://app:hunter2@db/app and redis://:hunter2@cache:6379 keep ${KEY}`)).toBe(
      `postgres://app:***@db/app and redis://:***@cache:6379 keep ${KEY}`,
    );
  });
});
