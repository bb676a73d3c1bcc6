import { ProblemException } from '@tollgate/platform/http';
import type { ContactEntity } from './contact.entity.js';
import { type ContactChanges, type ContactsRepository, DuplicateContactEmailError } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';

function fakeRepository() {
  return {
    insert: vi.fn<(contact: ContactEntity) => Promise<void>>().mockResolvedValue(undefined),
    findById: vi.fn<(id: string) => Promise<ContactEntity | null>>().mockResolvedValue(null),
    page: vi.fn(),
    update: vi.fn<(id: string, changes: ContactChanges) => Promise<ContactEntity | null>>().mockResolvedValue(null),
    delete: vi.fn<(id: string) => Promise<boolean>>().mockResolvedValue(false),
  };
}

async function problemOf(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProblemException);
  return { status: (error as ProblemException).getStatus(), body: (error as ProblemException).getResponse() };
}

describe(ContactsService.name, () => {
  let repository: ReturnType<typeof fakeRepository>;
  let sut: ContactsService;

  beforeEach(() => {
    repository = fakeRepository();
    sut = new ContactsService(repository as unknown as ContactsRepository);
  });

  it('records who created a contact, and keeps normalised copies of name and email', async () => {
    const contact = await sut.create(
      { name: 'Ölaf MÜLLER', email: 'Olaf@Example.DE' },
      { subject: 'consumer-42', credentialType: 'api_key' },
    );

    expect(repository.insert).toHaveBeenCalledWith(contact);
    expect(contact).toMatchObject({
      nameNormalized: 'ölaf müller',
      emailNormalized: 'olaf@example.de',
      company: null,
      phone: null,
      tags: null,
      notes: null,
      createdBySubject: 'consumer-42',
      createdByCredentialType: 'api_key',
    });
    expect(contact.updatedAt).toEqual(contact.createdAt);
  });

  it('leaves the author empty when the request carried no principal', async () => {
    const contact = await sut.create({ name: 'Ada', email: 'ada@example.com' }, undefined);
    expect(contact).toMatchObject({ createdBySubject: null, createdByCredentialType: null });
  });

  it('compares emails in one Unicode composition', async () => {
    const decomposed = await sut.create({ name: 'Zoe', email: 'zoe\u0301@example.com' }, undefined);
    const composed = await sut.create({ name: 'Zoe', email: 'zo\u00e9@example.com' }, undefined);
    expect(decomposed.emailNormalized).toBe(composed.emailNormalized);
  });

  it('answers 409 when the repository reports a duplicate email', async () => {
    repository.insert.mockRejectedValue(new DuplicateContactEmailError());
    expect(await problemOf(sut.create({ name: 'Ada', email: 'ada@example.com' }, undefined))).toMatchObject({
      status: 409,
      body: { type: 'urn:tollgate:problem:contact_email_taken' },
    });
  });

  it('sends only the fields given, with their normalised copies and a new updatedAt', async () => {
    const updated = { id: 'id-1' } as ContactEntity;
    repository.update.mockResolvedValue(updated);

    expect(await sut.update('id-1', { email: 'ADA@example.com', company: null })).toBe(updated);

    const [id, changes] = repository.update.mock.calls[0]!;
    expect(id).toBe('id-1');
    expect(changes).toStrictEqual({
      email: 'ADA@example.com',
      emailNormalized: 'ada@example.com',
      company: null,
      updatedAt: expect.any(Date),
    });
  });

  it('refuses an update without any field, before touching the repository', async () => {
    expect(await problemOf(sut.update('id-1', { name: undefined }))).toMatchObject({
      status: 400,
      body: { type: 'urn:tollgate:problem:empty_update' },
    });
    expect(repository.update).not.toHaveBeenCalled();
  });

  it.each([
    ['get', (service: ContactsService) => service.get('id-1')],
    ['update', (service: ContactsService) => service.update('id-1', { name: 'Ada' })],
    ['remove', (service: ContactsService) => service.remove('id-1')],
  ])('%s of an unknown contact answers 404', async (_name, action) => {
    expect(await problemOf(action(sut))).toMatchObject({
      status: 404,
      body: { type: 'urn:tollgate:problem:contact_not_found', detail: 'No contact has the id id-1' },
    });
  });
});
