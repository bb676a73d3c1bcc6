import { hasCredentialPrefix, parseCredential } from '@tollgate/credentials';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  registerDecorator,
} from 'class-validator';
import { toBoolean } from './load-env.js';

/**
 * Rules for single environment variables, shared by every env class. Each returns one decorator;
 * several class-validator checks under one name are applied in order.
 */
function all(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, property) => {
    for (const decorator of decorators) decorator(target, property);
  };
}

/**
 * The one way to say that a variable must be set: loadEnv then reports it unset as
 * `NAME: is required (unset)`, and nothing else about it. Every other variable is `@IsOptional()`.
 */
export function Required(): PropertyDecorator {
  return IsDefined({ message: REQUIRED_MESSAGE });
}

export const REQUIRED_MESSAGE = 'is required';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A pino log level. */
export function IsLogLevel(): PropertyDecorator {
  return IsIn([...LOG_LEVELS]);
}

/** An integer from `min` to `max` (or ≥ `min`), converted from the variable's text. */
export function IntegerFrom(min: number, max?: number): PropertyDecorator {
  return numberFrom(IsInt(), min, max);
}

/** A number from `min` to `max` (or ≥ `min`), converted from the variable's text. */
export function NumberFrom(min: number, max?: number): PropertyDecorator {
  return numberFrom(IsNumber(), min, max);
}

function numberFrom(kind: PropertyDecorator, min: number, max: number | undefined): PropertyDecorator {
  return all(
    Type(() => Number),
    kind,
    Min(min),
    ...(max === undefined ? [] : [Max(max)]),
  );
}

/** `true`/`1`/`yes`/`on` or anything else (false). */
export function IsFlag(): PropertyDecorator {
  return all(Transform(toBoolean), IsBoolean());
}

/** A TCP port; 0 lets the system pick a free one. */
export function IsPort(): PropertyDecorator {
  return IntegerFrom(0, 65535);
}

/** A TCP port other processes must know in advance (1–65535): 0, a port the system picks, is refused. */
export function IsFixedPort(): PropertyDecorator {
  return IntegerFrom(1, 65535);
}

const HTTP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** An absolute http(s) URL. */
export function IsHttpUrl(): PropertyDecorator {
  return IsUrl(HTTP_URL, { message: 'must be an http(s) URL' });
}

/**
 * The auth-server's issuer identifier as its clients name it (RFC 8414 §2: a URL without query or
 * fragment; no trailing "/", so that `<issuer>/.well-known/…` and the `iss` claim compare exactly).
 */
export function IsIssuerUrl(): PropertyDecorator {
  return all(
    IsHttpUrl(),
    Matches(/^[^?#]*[^/?#]$/, { message: 'must not end with "/" nor carry a query or fragment' }),
  );
}

/** The auth-server's own issuer, as it serves it: an origin (its endpoints hang off the root). */
export function IsIssuerOrigin(): PropertyDecorator {
  return all(
    IsHttpUrl(),
    Matches(/^https?:\/\/[^/?#]+$/, {
      message: 'must be an origin (scheme://host[:port]) without path, query or trailing "/"',
    }),
  );
}

/** A client id the auth-server accepts: 3–64 characters of letters, digits, `.`, `_`, `:` and `-`. */
export function IsClientId(): PropertyDecorator {
  return Matches(/^[A-Za-z0-9._:-]{3,64}$/, { message: 'must be 3–64 characters of letters, digits, . _ : -' });
}

/** An RFC 8707 resource indicator (the `aud` of tokens for one API): an absolute URI without fragment (§2), ≤ 255 characters as the auth-server stores it. */
export function IsResourceIndicator(): PropertyDecorator {
  return all(
    Matches(/^[A-Za-z][A-Za-z0-9+.-]*:[^\s#]+$/, { message: 'must be an absolute URI without a fragment' }),
    MaxLength(255),
  );
}

/** The bounds of an operator-chosen client secret, as the management API and the token endpoint take it. */
export const CLIENT_SECRET_LENGTH = { min: 32, max: 512 } as const;

export const CLIENT_SECRET_MESSAGE = `must be a tgs_ client secret as the auth-server generates it, or an operator-chosen secret of ${CLIENT_SECRET_LENGTH.min}–${CLIENT_SECRET_LENGTH.max} characters`;

/**
 * A client secret the auth-server can accept: one it generated (`tgs_…`, its checksum intact, which
 * catches a truncated paste) or one an operator chose, 32–512 characters. A value with a Tollgate
 * prefix is held to the generated format (the token endpoint refuses it otherwise), and an API key
 * or a PAT is not a client secret.
 */
export function IsClientSecret(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isClientSecret',
      target: target.constructor,
      propertyName: property as string,
      constraints: [CLIENT_SECRET_LENGTH.min, CLIENT_SECRET_LENGTH.max],
      options: { message: CLIENT_SECRET_MESSAGE },
      validator: { validate: isClientSecret },
    });
}

export function isClientSecret(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (hasCredentialPrefix(value)) return parseCredential(value)?.kind === 'client_secret';
  return value.length >= CLIENT_SECRET_LENGTH.min && value.length <= CLIENT_SECRET_LENGTH.max;
}
