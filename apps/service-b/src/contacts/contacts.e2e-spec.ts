import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { type TestDatabase, testDatabases } from '../../../../test/support/test-databases.js';
import { loadServiceBConfig } from '../config/service-b.config.js';
import { createServiceB } from '../service-b.app.js';

// No authentication guard is installed yet: these tests cover the API's own behaviour.

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface Contact {
  id: string;
  name: string;
  email: string;
  company: string | null;
  phone: string | null;
  tags: string[] | null;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CONTACT_FIELDS = ['company', 'createdAt', 'email', 'id', 'name', 'notes', 'phone', 'tags', 'updatedAt'];

describe.each(testDatabases())('service-b contacts API on $name', ({ create }) => {
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    database = await create();
    // CRUD behaviour only: authentication is covered end to end in test/service-b/.
    app = await createServiceB(
      loadServiceBConfig({ AUTH_ISSUER: 'http://127.0.0.1:9', DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
      { authentication: false },
    );
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  beforeEach(async () => {
    for (const contact of await listAll()) expect((await call('DELETE', `/contacts/${contact.id}`)).status).toBe(204);
  });

  async function call(
    method: string,
    path: string,
    options: { json?: unknown; raw?: string; contentType?: string } = {},
  ): Promise<Answer> {
    const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
    const contentType = options.contentType ?? (body === undefined ? undefined : 'application/json');
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      body,
      headers: contentType ? { 'content-type': contentType } : {},
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  async function createContact(fields: Partial<Contact> & { name: string; email: string }): Promise<Contact> {
    const answer = await call('POST', '/contacts', { json: fields });
    expect(answer.status).toBe(201);
    return answer.body as Contact;
  }

  async function listAll(): Promise<Contact[]> {
    const answer = await call('GET', '/contacts?limit=100');
    expect(answer.status).toBe(200);
    return answer.body.items as Contact[];
  }

  function expectProblem(answer: Answer, status: number, code?: string): void {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      type: code ? `urn:tollgate:problem:${code}` : 'about:blank',
      status,
      title: expect.any(String),
    });
  }

  function expectInvalid(answer: Answer, ...messages: string[]): void {
    expectProblem(answer, 400);
    expect(answer.body.errors).toEqual(expect.arrayContaining(messages));
  }

  const byCreationThenId = (a: Contact, b: Contact) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);

  describe('GET /health', () => {
    it('answers ok after querying the database', async () => {
      const answer = await call('GET', '/health');
      expect(answer.status).toBe(200);
      expect(answer.body).toStrictEqual({ status: 'ok', database: 'ok' });
    });
  });

  describe('create and read', () => {
    it('creates a contact with every field, answers 201 with a Location, and reads it back', async () => {
      const created = await call('POST', '/contacts', {
        json: {
          name: 'Ada Lovelace',
          email: 'Ada@Example.com',
          company: 'Analytical Engines Ltd',
          phone: '+44 20 7946 0018',
          tags: ['vip', 'newsletter'],
          notes: 'Met at the Difference Engine demo.',
        },
      });

      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toMatch(/^application\/json/);
      expect(created.body).toStrictEqual({
        id: expect.stringMatching(UUID),
        name: 'Ada Lovelace',
        email: 'Ada@Example.com',
        company: 'Analytical Engines Ltd',
        phone: '+44 20 7946 0018',
        tags: ['vip', 'newsletter'],
        notes: 'Met at the Difference Engine demo.',
        createdAt: expect.stringMatching(ISO_TIME),
        updatedAt: created.body.createdAt,
      });
      expect(created.headers.get('location')).toBe(`/contacts/${created.body.id}`);

      const read = await call('GET', created.headers.get('location')!);
      expect(read.status).toBe(200);
      expect(read.body).toStrictEqual(created.body);
    });

    it('answers null for optional fields left out, and trims names and emails', async () => {
      const created = await call('POST', '/contacts', { json: { name: '  Grace Hopper ', email: ' grace@navy.mil ' } });

      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(CONTACT_FIELDS);
      expect(created.body).toMatchObject({
        name: 'Grace Hopper',
        email: 'grace@navy.mil',
        company: null,
        phone: null,
        tags: null,
        notes: null,
      });
    });

    it('accepts explicit nulls and an empty tag list on create', async () => {
      const created = await createContact({ name: 'Alan Turing', email: 'alan@bletchley.uk', company: null, tags: [] });
      expect(created).toMatchObject({ company: null, tags: [] });
    });

    it('finds a contact whatever the case of its id', async () => {
      const contact = await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' });
      const read = await call('GET', `/contacts/${contact.id.toUpperCase()}`);
      expect(read.status).toBe(200);
      expect(read.body).toStrictEqual(contact);
    });
  });

  describe('PATCH /contacts/{id}', () => {
    it('changes only the fields sent', async () => {
      const contact = await createContact({
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        company: 'Engines',
        tags: ['vip'],
      });

      const changed = await call('PATCH', `/contacts/${contact.id}`, {
        json: { company: 'Analytical Engines Ltd', phone: '(555) 010-2000 x12' },
      });

      expect(changed.status).toBe(200);
      expect(changed.body).toStrictEqual({
        ...contact,
        company: 'Analytical Engines Ltd',
        phone: '(555) 010-2000 x12',
        updatedAt: expect.stringMatching(ISO_TIME),
      });
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(contact.updatedAt));
      expect((await call('GET', `/contacts/${contact.id}`)).body).toStrictEqual(changed.body);
    });

    it('clears optional fields set to null', async () => {
      const contact = await createContact({
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        company: 'Engines',
        tags: ['vip'],
        notes: 'x',
      });

      const changed = await call('PATCH', `/contacts/${contact.id}`, {
        json: { company: null, tags: null, notes: null },
      });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ name: 'Ada Lovelace', company: null, tags: null, notes: null, phone: null });
    });

    it('lets a contact change the case of its own email', async () => {
      const contact = await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' });
      const changed = await call('PATCH', `/contacts/${contact.id}`, { json: { email: 'Ada@Example.COM' } });
      expect(changed.status).toBe(200);
      expect(changed.body.email).toBe('Ada@Example.COM');
    });

    it('refuses an empty change, a null name or email, and unknown fields, and changes nothing', async () => {
      const contact = await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' });

      const empty = await call('PATCH', `/contacts/${contact.id}`, { json: {} });
      expectProblem(empty, 400, 'empty_update');
      expect(empty.body.detail).toBe('Send at least one of: name, email, company, phone, tags, notes');
      expectInvalid(await call('PATCH', `/contacts/${contact.id}`, { json: { name: null } }), 'name must be a string');
      expectInvalid(
        await call('PATCH', `/contacts/${contact.id}`, { json: { email: null } }),
        'email must be a string',
      );
      expectInvalid(
        await call('PATCH', `/contacts/${contact.id}`, { json: { name: 'Eve', id: randomUUID() } }),
        'property id should not exist',
      );
      expectInvalid(
        await call('PATCH', `/contacts/${contact.id}`, { json: { name: 'x'.repeat(201) } }),
        'name must be shorter than or equal to 200 characters',
      );

      expect((await call('GET', `/contacts/${contact.id}`)).body).toStrictEqual(contact);
    });
  });

  describe('DELETE /contacts/{id}', () => {
    it('deletes, answers 204 without a body, then 404', async () => {
      const contact = await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' });

      const deleted = await call('DELETE', `/contacts/${contact.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();

      expectProblem(await call('GET', `/contacts/${contact.id}`), 404, 'contact_not_found');
      expectProblem(await call('DELETE', `/contacts/${contact.id}`), 404, 'contact_not_found');
      expect(await listAll()).toEqual([]);
    });

    it('frees the email for a new contact', async () => {
      const contact = await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' });
      await call('DELETE', `/contacts/${contact.id}`);
      expect((await call('POST', '/contacts', { json: { name: 'Ada L.', email: 'ADA@example.com' } })).status).toBe(
        201,
      );
    });
  });

  describe('unknown and malformed ids', () => {
    it.each(['GET', 'PATCH', 'DELETE'])('%s of an unknown id answers 404', async (method) => {
      const id = randomUUID();
      const answer = await call(method, `/contacts/${id}`, method === 'PATCH' ? { json: { name: 'Nobody' } } : {});
      expectProblem(answer, 404, 'contact_not_found');
      expect(answer.body.detail).toBe(`No contact has the id ${id}`);
    });

    it.each([
      ['GET', 'not-a-uuid'],
      ['PATCH', '12345'],
      ['DELETE', '6ab2b243-f070-441d-ace6-6dd1e946cec'],
      ['GET', "1' OR '1'='1"],
    ])('%s /contacts/%s answers 400', async (method, id) => {
      const answer = await call(
        method,
        `/contacts/${encodeURIComponent(id)}`,
        method === 'PATCH' ? { json: { name: 'Nobody' } } : {},
      );
      expectProblem(answer, 400);
      expect(answer.body.detail).toBe('Validation failed (uuid is expected)');
    });
  });

  describe('GET /contacts', () => {
    it('pages through contacts in creation order with totals', async () => {
      const created: Contact[] = [];
      for (let index = 1; index <= 25; index += 1) {
        created.push(await createContact({ name: `Contact ${index}`, email: `contact${index}@example.com` }));
      }
      const expected = [...created].sort(byCreationThenId);

      const first = await call('GET', '/contacts');
      expect(first.status).toBe(200);
      expect(first.body).toStrictEqual({ items: expected.slice(0, 20), total: 25, limit: 20, offset: 0 });

      const last = await call('GET', '/contacts?limit=10&offset=20');
      expect(last.body).toStrictEqual({ items: expected.slice(20), total: 25, limit: 10, offset: 20 });

      const walked: Contact[] = [];
      for (let offset = 0; offset < 25; offset += 7)
        walked.push(...(await call('GET', `/contacts?limit=7&offset=${offset}`)).body.items);
      expect(walked).toStrictEqual(expected);

      expect((await call('GET', '/contacts?offset=25')).body).toStrictEqual({
        items: [],
        total: 25,
        limit: 20,
        offset: 25,
      });
      expect((await call('GET', '/contacts?limit=100')).body.items).toHaveLength(25);
    });

    it('answers an empty page when there are no contacts', async () => {
      const answer = await call('GET', '/contacts');
      expect(answer.status).toBe(200);
      expect(answer.body).toStrictEqual({ items: [], total: 0, limit: 20, offset: 0 });
    });

    describe('with q', () => {
      let contacts: Record<string, Contact>;

      beforeEach(async () => {
        contacts = {
          ada: await createContact({ name: 'Ada Lovelace', email: 'ada@example.com' }),
          grace: await createContact({ name: 'Grace Hopper', email: 'grace@navy.mil' }),
          alan: await createContact({ name: 'Alan Turing', email: 'alan@bletchley.uk' }),
          olaf: await createContact({ name: 'Ölaf Müller', email: 'olaf@example.de' }),
          percent: await createContact({ name: '100% Real', email: 'real@percent.io' }),
          underscore: await createContact({ name: 'under_score', email: 'us@underscore.io' }),
        };
      });

      it.each([
        ['LOVELACE', ['ada']],
        ['navy', ['grace']],
        ['EXAMPLE', ['ada', 'olaf']],
        ['MÜLLER', ['olaf']],
        ['a', ['ada', 'grace', 'alan', 'olaf', 'percent']],
        ['%', ['percent']],
        ['_', ['underscore']],
        ['\\', []],
        ['zzz', []],
      ])('q=%s matches %j by name or email, case-insensitively and literally', async (q, names) => {
        const answer = await call('GET', `/contacts?q=${encodeURIComponent(q)}`);
        expect(answer.status).toBe(200);
        const expected = names.map((name) => contacts[name]!).sort(byCreationThenId);
        expect(answer.body).toStrictEqual({ items: expected, total: expected.length, limit: 20, offset: 0 });
      });

      it('pages the filtered list and counts only matches', async () => {
        const answer = await call('GET', '/contacts?q=example&limit=1&offset=1');
        expect(answer.body).toStrictEqual({
          items: [[contacts.ada!, contacts.olaf!].sort(byCreationThenId)[1]],
          total: 2,
          limit: 1,
          offset: 1,
        });
      });
    });

    it.each([
      ['limit=0', 'limit must not be less than 1'],
      ['limit=101', 'limit must not be greater than 100'],
      ['limit=1.5', 'limit must be an integer number'],
      ['limit=ten', 'limit must be an integer number'],
      ['limit=1&limit=2', 'limit must be an integer number'],
      ['offset=-1', 'offset must not be less than 0'],
      ['offset=1000001', 'offset must not be greater than 1000000'],
      ['offset=1e400', 'offset must be an integer number'],
      [`q=${'x'.repeat(101)}`, 'q must be shorter than or equal to 100 characters'],
      ['q=a&q=b', 'q must be a string'],
      ['sort=name', 'property sort should not exist'],
    ])('refuses ?%s', async (query, message) => {
      expectInvalid(await call('GET', `/contacts?${query}`), message);
    });
  });

  describe('refused writes', () => {
    const valid = { name: 'Ada Lovelace', email: 'ada@example.com' };

    it('refuses unknown fields', async () => {
      const answer = await call('POST', '/contacts', { json: { ...valid, role: 'admin', createdBy: 'root' } });
      expectInvalid(answer, 'property role should not exist', 'property createdBy should not exist');
      expect(answer.body.detail).toBe('The request is not valid');
    });

    it('refuses wrong types with one message per field', async () => {
      const answer = await call('POST', '/contacts', {
        json: { name: 42, email: true, company: 7, phone: [], tags: 'vip', notes: { text: 'x' } },
      });
      expectInvalid(
        answer,
        'name must be a string',
        'email must be a string',
        'company must be a string',
        'phone must be a string',
        'tags must be an array',
        'notes must be a string',
      );
    });

    it('refuses a 10 000-character name', async () => {
      expectInvalid(
        await call('POST', '/contacts', { json: { ...valid, name: 'n'.repeat(10_000) } }),
        'name must be shorter than or equal to 200 characters',
      );
    });

    it.each([
      ['a missing name', { email: 'ada@example.com' }, 'name must be a string'],
      ['a blank name', { name: '   ', email: 'ada@example.com' }, 'name must be longer than or equal to 1 characters'],
      ['a missing email', { name: 'Ada' }, 'email must be an email address'],
      ['an invalid email', { name: 'Ada', email: 'ada@' }, 'email must be an email address'],
      [
        'an email of 255 characters',
        { name: 'Ada', email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` },
        'email must be shorter than or equal to 254 characters',
      ],
      ['an empty company', { ...valid, company: '' }, 'company must be longer than or equal to 1 characters'],
      [
        'a company of 201 characters',
        { ...valid, company: 'c'.repeat(201) },
        'company must be shorter than or equal to 200 characters',
      ],
      [
        'a phone that is not one',
        { ...valid, phone: 'call me maybe' },
        'phone must be a phone number (digits, spaces, + ( ) . / -, optional extension)',
      ],
      [
        'a phone of 41 characters',
        { ...valid, phone: '1'.repeat(41) },
        'phone must be shorter than or equal to 40 characters',
      ],
      [
        '21 tags',
        { ...valid, tags: Array.from({ length: 21 }, (_, index) => `tag${index}`) },
        'tags must contain no more than 20 elements',
      ],
      [
        'a tag of 41 characters',
        { ...valid, tags: ['t'.repeat(41)] },
        'each value in tags must be longer than or equal to 1 and shorter than or equal to 40 characters',
      ],
      [
        'an empty tag',
        { ...valid, tags: [''] },
        'each value in tags must be longer than or equal to 1 and shorter than or equal to 40 characters',
      ],
      ['a tag that is not a string', { ...valid, tags: [1] }, 'each value in tags must be a string'],
      ['repeated tags', { ...valid, tags: ['vip', ' vip'] }, 'tags must not contain duplicates'],
      [
        'notes of 2001 characters',
        { ...valid, notes: 'n'.repeat(2001) },
        'notes must be shorter than or equal to 2000 characters',
      ],
    ])('refuses %s', async (_case, body, message) => {
      expectInvalid(await call('POST', '/contacts', { json: body }), message);
    });

    it('refuses a body that is not a JSON object', async () => {
      expectProblem(await call('POST', '/contacts', { raw: '{"name": "Ada", ' }), 400);
      expectProblem(await call('POST', '/contacts', { raw: '' }), 400);
      expectProblem(await call('POST', '/contacts', { json: [valid] }), 400);
      expectProblem(await call('POST', '/contacts', { json: 'Ada' }), 400);
      expectProblem(
        await call('POST', '/contacts', { raw: '<contact><name>Ada</name></contact>', contentType: 'application/xml' }),
        415,
      );
      expectProblem(await call('POST', '/contacts', { raw: 'Ada', contentType: 'text/plain' }), 400);
      expectProblem(await call('POST', '/contacts'), 400);
    });

    it('refuses an oversized body with 413', async () => {
      const answer = await call('POST', '/contacts', { json: { ...valid, notes: 'n'.repeat(200_000) } });
      expectProblem(answer, 413);
    });

    it('refuses a duplicate email, compared case-insensitively, with 409', async () => {
      const ada = await createContact(valid);

      const duplicate = await call('POST', '/contacts', { json: { name: 'Someone else', email: 'ADA@Example.com' } });
      expectProblem(duplicate, 409, 'contact_email_taken');
      expect(duplicate.body.detail).toBe('A contact with this email already exists');

      const grace = await createContact({ name: 'Grace Hopper', email: 'grace@navy.mil' });
      expectProblem(
        await call('PATCH', `/contacts/${grace.id}`, { json: { name: 'Grace', email: 'ada@EXAMPLE.com' } }),
        409,
        'contact_email_taken',
      );
      expect(await listAll()).toStrictEqual([ada, grace]);
    });

    it('lets exactly one of several concurrent creations with the same email succeed', async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          call('POST', '/contacts', {
            json: { name: `Racer ${index}`, email: index % 2 ? 'RACE@example.com' : 'race@example.com' },
          }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(await listAll()).toHaveLength(1);
    });

    it('stores nothing after any refused write', async () => {
      const existing = await createContact(valid);
      const refused = await Promise.all([
        call('POST', '/contacts', { json: { ...valid, email: 'eve@example.com', role: 'admin' } }),
        call('POST', '/contacts', { json: { name: 'n'.repeat(10_000), email: 'eve@example.com' } }),
        call('POST', '/contacts', { json: { name: 42, email: 'eve@example.com' } }),
        call('POST', '/contacts', { json: { name: 'Eve', email: 'eve@example.com', notes: 'n'.repeat(200_000) } }),
        call('POST', '/contacts', { json: { name: 'Eve', email: 'ADA@example.com' } }),
        call('PATCH', `/contacts/${existing.id}`, { json: { name: 'Eve', tags: 'vip' } }),
        call('PATCH', `/contacts/${existing.id}`, { json: { name: 'Eve', unknown: true } }),
      ]);
      expect(refused.map((answer) => answer.status)).toEqual([400, 400, 400, 413, 409, 400, 400]);
      expect(await listAll()).toStrictEqual([existing]);
    });
  });

  describe('OpenAPI document', () => {
    it('documents every route, its answers and every credential it takes, with the scopes each route needs', async () => {
      const answer = await call('GET', '/docs/json');
      expect(answer.status).toBe(200);
      const document = answer.body;
      expect(document.info.title).toBe('Tollgate CRM (service-b)');
      expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
        'accessToken',
        'apiKey',
        'apiKeyHeader',
        'personalAccessToken',
      ]);

      const reads = ['contacts:read'];
      const writes = ['contacts:write'];
      const operations = {
        'get /contacts': ['200', '400', '401', '403'],
        'post /contacts': ['201', '400', '401', '403', '409', '413', '415'],
        'get /contacts/{id}': ['200', '400', '401', '403', '404'],
        'patch /contacts/{id}': ['200', '400', '401', '403', '404', '409', '413', '415'],
        'delete /contacts/{id}': ['204', '400', '401', '403', '404'],
      };
      for (const [operation, statuses] of Object.entries(operations)) {
        const [method, path] = operation.split(' ') as [string, string];
        const documented = document.paths[path][method];
        expect(Object.keys(documented.responses).sort(), operation).toEqual(statuses);
        const scopes = method === 'get' ? reads : writes;
        expect(documented.security, operation).toEqual([
          { accessToken: scopes },
          { personalAccessToken: scopes },
          { apiKey: scopes },
          { apiKeyHeader: scopes },
        ]);
        expect(documented.responses['401'].content, operation).toEqual({
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
        });
      }
      expect(Object.keys(document.paths['/health'].get.responses).sort()).toEqual(['200', '503']);
      expect(document.paths['/health'].get.security).toEqual([]);
    });
  });
});
