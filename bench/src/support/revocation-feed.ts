import { eventually } from '../../../test/support/eventually.js';
import { request } from './http-client.js';

/** Waits until a service’s GET /health reports its revocation feed connected (`feedStatus` reads it from the body). */
export async function waitForRevocationFeed(
  who: string,
  healthUrl: string,
  feedStatus: (health: any) => unknown,
): Promise<void> {
  try {
    await eventually(
      async () => {
        const health = await request(healthUrl);
        if (feedStatus(health.body) !== 'connected') throw new Error(`${who} health: ${JSON.stringify(health.body)}`);
      },
      15_000,
      50,
    );
  } catch (error) {
    throw new Error(`${who} did not connect to the revocation feed within 15 s (${(error as Error).message})`);
  }
}
