import { ApiResponse } from '@nestjs/swagger';

/** Documents an error answer; its `application/problem+json` body schema (RFC 9457) is added to every error answer of the document. */
export const ApiProblemResponse = (status: number, description: string) => ApiResponse({ status, description });
