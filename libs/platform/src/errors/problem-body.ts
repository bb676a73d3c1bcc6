import { STATUS_CODES } from 'node:http';

/** An RFC 9457 problem object, the body of every `application/problem+json` answer. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** The problem object of `status`: `type` from `code` (`urn:tollgate:problem:<code>`, else `about:blank`), `title` its reason phrase. */
export function problemBody(
  status: number,
  detail?: string,
  code?: string,
  extensions: Record<string, unknown> = {},
): ProblemBody {
  return {
    type: code ? `urn:tollgate:problem:${code}` : 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    ...extensions,
  };
}
