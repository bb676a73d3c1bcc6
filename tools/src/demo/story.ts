import type { DevelopmentCa, IssuedCertificate } from '../certificates/development-ca.js';
import type { ManagementApiClient } from '../seed/management-api.client.js';
import type { DemoClientIds, DemoUrls, StorySecretName } from './demo.config.js';

/** Device processes a story may start (they are supervised like every other service). */
export type DeviceService = 'thermostat' | 'hub' | 'newThermostat';

/** Where the story finds the running system, whoever started it (`npm run demo`, or docker-compose). */
export interface StoryConfig {
  urls: DemoUrls;
  /** Where devices the story starts keep their files (thermostat-3's key). */
  dataDir: string;
}

/** What every story gets: the running system and the demo's credentials. */
export interface DemoContext {
  config: StoryConfig;
  /** The management API as the bootstrap admin. */
  admin: ManagementApiClient;
  ids: DemoClientIds;
  secrets: Record<StorySecretName, string>;
  /** The administrator who approves a device's pairing in the console (role `admin`). */
  consoleAdmin: { email: string; password: string };
  /** The seeded API consumer "Zapflow". */
  consumer: { id: string; name: string };
  /** Contacts the CRM holds at least (the sample data). */
  sampleContacts: number;
  /** Starts a device process and resolves once it is connected to the broker. */
  startDevice(device: DeviceService): Promise<string>;
  /** The CA the broker trusts for device certificates (RFC 8705 steps): device certificates on demand. */
  certificates: { ca: DevelopmentCa; device(id: string): Promise<IssuedCertificate> };
  /** Credentials a story created, printed after the story for exploring. */
  credentials: { label: string; value: string; note?: string }[];
}

/**
 * One step: `check` does the thing and verifies it, returning what was observed (printed after ✓),
 * or throws (printed after ✗; the rest of the story is skipped).
 */
export type Step = (description: string, check: () => Promise<string>) => Promise<void>;

/** A chapter of the demo. Add one by writing a `<name>.story.ts` and listing it in stories/index.ts. */
export interface Story {
  /** Short name used when a step fails ("IoT › 3. …"). */
  name: string;
  /** Heading printed above the steps. */
  title: string;
  run(context: DemoContext, step: Step): Promise<void>;
}

export interface StepResult {
  story: string;
  number: number;
  description: string;
  passed: boolean;
  detail: string;
}

/** Thrown by a step runner after a failed step to end its story. */
class StoryStopped extends Error {}

/** Runs the stories in order, printing one line per step; a failed step ends its story, not the demo. */
export async function runStories(
  stories: readonly Story[],
  context: DemoContext,
  print: (line: string) => void,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const story of stories) {
    print('');
    print(story.title);
    const step: Step = async (description, check) => {
      const number = results.length + 1;
      const started = Date.now();
      try {
        const detail = await check();
        results.push({ story: story.name, number, description, passed: true, detail });
        print(`  ✓ ${number}. ${description} — ${detail}${timing(started)}`);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        results.push({ story: story.name, number, description, passed: false, detail });
        print(`  ✗ ${number}. ${description} — ${detail}`);
        throw new StoryStopped();
      }
    };
    try {
      await story.run(context, step);
    } catch (error) {
      if (!(error instanceof StoryStopped)) {
        const detail = error instanceof Error ? error.message : String(error);
        results.push({
          story: story.name,
          number: results.length + 1,
          description: 'the story itself',
          passed: false,
          detail,
        });
        print(`  ✗ ${story.name} stopped: ${detail}`);
      } else print(`  (the rest of this story is skipped)`);
    }
  }
  return results;
}

/** The closing lines of a run: all passed, or which steps failed and why. */
export function summaryLines(results: readonly StepResult[]): string[] {
  const failed = results.filter((result) => !result.passed);
  if (failed.length === 0) return [`✓ All ${results.length} steps passed.`];
  return [
    `✗ ${failed.length} of ${results.length} steps failed:`,
    ...failed.map((result) => `  ✗ ${result.story} › ${result.number}. ${result.description} — ${result.detail}`),
  ];
}

function timing(started: number): string {
  const ms = Date.now() - started;
  return ms >= 1000 ? ` (${(ms / 1000).toFixed(1)} s)` : '';
}
