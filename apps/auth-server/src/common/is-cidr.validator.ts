import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isIP } from 'node:net';

/** An IPv4/IPv6 address or CIDR block (`203.0.113.0/24`, `2001:db8::/32`). */
export function isCidr(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 64) return false;
  const [address, prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

export function IsCidr(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCidr',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: isCidr,
        defaultMessage: (args) => `${args?.property} must contain IPv4/IPv6 addresses or CIDR blocks`,
      },
    });
}
