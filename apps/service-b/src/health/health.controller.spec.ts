import { ProblemException } from '@tollgate/platform/http';
import type { DataSource } from 'typeorm';
import { HealthController } from './health.controller.js';

describe(HealthController.name, () => {
  it('answers ok when the database answers', async () => {
    const query = vi.fn().mockResolvedValue([{ '?column?': 1 }]);
    const sut = new HealthController({ query } as unknown as DataSource);

    expect(await sut.check()).toStrictEqual({ status: 'ok', database: 'ok' });
    expect(query).toHaveBeenCalledWith('SELECT 1');
  });

  it('answers 503 database_unavailable when the query fails', async () => {
    const sut = new HealthController({
      query: vi.fn().mockRejectedValue(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
    } as unknown as DataSource);

    const error = await sut.check().catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).getStatus()).toBe(503);
    expect((error as ProblemException).getResponse()).toMatchObject({
      type: 'urn:tollgate:problem:database_unavailable',
      detail: 'The database does not answer',
    });
  });
});
