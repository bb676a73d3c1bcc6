import { BadRequestException } from '@nestjs/common';
import type { FastifyBodyParser, FastifyInstance, FastifyRequest } from 'fastify';

/** Deeper than any Tollgate request body; deep enough to fail validation cleanly, far from overflowing its stack. */
export const MAX_JSON_DEPTH = 32;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether arrays and objects in a JSON text nest deeper than `limit` (counted outside strings, before parsing). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === ']' || char === '}') depth -= 1;
  }
  return false;
}

/**
 * JSON request bodies, stricter than Fastify's parser in two ways: bytes that are not UTF-8 are
 * refused (RFC 8259 §8.1) instead of being stored as U+FFFD, and nesting past MAX_JSON_DEPTH is
 * refused before validation recurses into it (an array nested 5,000 deep overflowed the stack: 500).
 * The text then goes to Fastify's own parser (`jsonParser`), which refuses prototype poisoning.
 */
export function strictJsonBodyParser(jsonParser: FastifyBodyParser<string>) {
  return function parse(
    this: FastifyInstance,
    request: FastifyRequest,
    body: Buffer,
    done: (error: Error | null, parsed?: unknown) => void,
  ): void {
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      done(new BadRequestException('The body is not valid UTF-8 (RFC 8259 §8.1)'), undefined);
      return;
    }
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      done(new BadRequestException(`The body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    (
      jsonParser as (
        this: FastifyInstance,
        request: FastifyRequest,
        body: string,
        done: (error: Error | null, parsed?: unknown) => void,
      ) => void
    ).call(this, request, text, done);
  };
}
