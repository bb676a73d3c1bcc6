// Preloaded (node --import) into servers under --alloc-prof, before exit-on-signal: samples what the
// process allocates (support/allocation-sampling.ts) and writes the profile to
// $ALLOCATION_PROFILE_DIR/<pid>.heapprofile when the server is stopped; open it in Chrome DevTools
// (Memory, Load profile).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllocationSampling } from '../support/allocation-sampling.js';

const dir = process.env.ALLOCATION_PROFILE_DIR;
if (dir) {
  mkdirSync(dir, { recursive: true });
  const sampling = new AllocationSampling();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      try {
        writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(sampling.stop()));
      } catch (error) {
        process.stderr.write(`allocation profile not written: ${(error as Error).message}\n`);
      }
    });
  }
}
