import { registerDecorator, type ValidationOptions } from 'class-validator';
import { resourceIndicatorProblem } from './resource-indicator.js';

/** class-validator decorator: an RFC 8707 resource indicator. */
export function IsResourceIndicator(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isResourceIndicator',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && resourceIndicatorProblem(value) === null,
        defaultMessage: (args) =>
          `${args?.property} must be an absolute URI without query or fragment (RFC 8707), at most 255 characters`,
      },
    });
}
