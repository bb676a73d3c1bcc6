import { MAX_JSON_DEPTH, nestsDeeperThan, strictJsonBodyParser } from './json-body.parser.js';

describe(nestsDeeperThan.name, () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestsDeeperThan('[[[]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[[[]]]]', 3)).toBe(true);
    expect(nestsDeeperThan('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":"[[[[{{{{","b":"\\"[[[["}', 1)).toBe(false);
  });
});

describe(strictJsonBodyParser.name, () => {
  const parse = (body: Buffer) =>
    new Promise<{ error: Error | null; parsed?: unknown }>((resolve) => {
      const sut = strictJsonBodyParser((_request, text, done) => done(null, JSON.parse(text as string)));
      sut.call({} as never, {} as never, body, (error, parsed) => resolve({ error, parsed }));
    });

  it('passes well-formed UTF-8 JSON to the JSON parser', async () => {
    expect(await parse(Buffer.from('{"name":"Zoë"}'))).toEqual({ error: null, parsed: { name: 'Zoë' } });
  });

  it('refuses bytes that are not UTF-8 rather than replacing them (RFC 8259 §8.1)', async () => {
    const { error } = await parse(Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]));
    expect(error).toMatchObject({ status: 400, message: 'The body is not valid UTF-8 (RFC 8259 §8.1)' });
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} before parsing`, async () => {
    const { error } = await parse(Buffer.from('['.repeat(5_000) + ']'.repeat(5_000)));
    expect(error).toMatchObject({
      status: 400,
      message: `The body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`,
    });
    expect((await parse(Buffer.from('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)))).error).toBeNull();
  });
});
