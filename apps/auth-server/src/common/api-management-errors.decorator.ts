import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const problem = { description: 'application/problem+json (RFC 9457)' };

/** The error answers every management route can give, documented once. */
export const ApiManagementErrors = () =>
  applyDecorators(
    ApiBadRequestResponse({ ...problem, description: 'Invalid input or request (problem+json)' }),
    ApiUnauthorizedResponse({ ...problem, description: 'No or invalid credential (RFC 6750 invalid_token)' }),
    ApiForbiddenResponse({
      ...problem,
      description: 'The credential lacks the required scope (RFC 6750 insufficient_scope)',
    }),
    ApiNotFoundResponse({ ...problem, description: 'Not found' }),
  );
