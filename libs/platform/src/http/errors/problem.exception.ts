import { HttpException } from '@nestjs/common';
import { problemBody } from '../../errors/problem-body.js';

export interface ProblemOptions {
  /** Stable machine-readable code; becomes the problem `type` (`urn:tollgate:problem:<code>`). */
  code?: string;
  headers?: Record<string, string>;
  /** Extra members of the problem object (RFC 9457 §3.2), e.g. `error` for RFC 6750 answers. */
  extensions?: Record<string, unknown>;
}

/** An HTTP error answered as `application/problem+json` (RFC 9457). */
export class ProblemException extends HttpException {
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, options: ProblemOptions = {}) {
    super(problemBody(status, detail, options.code, options.extensions), status);
    this.headers = options.headers ?? {};
  }
}
