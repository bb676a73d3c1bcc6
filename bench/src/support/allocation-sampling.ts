import { type HeapProfiler, Session } from 'node:inspector';

/**
 * V8's sampling heap profiler on this thread, counting every allocation: objects already collected
 * are kept in the profile (by default it keeps only those still alive), so its sizes add up to the
 * bytes allocated while it ran. Comparing two servers' bytes per operation under the same load is
 * steady where their CPU time on a shared machine is not.
 */
export class AllocationSampling {
  private readonly session = new Session();

  constructor(samplingIntervalBytes = 16_384) {
    this.session.connect();
    // The protocol's flags for collected objects (HeapProfiler.startSampling) are newer than @types/node 20's.
    const parameters: HeapProfiler.StartSamplingParameterType & Record<string, unknown> = {
      samplingInterval: samplingIntervalBytes,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    };
    this.session.post('HeapProfiler.startSampling', parameters);
  }

  /** Stops sampling and returns the profile (a .heapprofile for Chrome DevTools' Memory panel). */
  stop(): HeapProfiler.SamplingHeapProfile {
    let profile: HeapProfiler.SamplingHeapProfile | undefined;
    let failure: Error | null = null;
    // A session on the thread it inspects is answered before `post` returns.
    this.session.post('HeapProfiler.stopSampling', (error, result) => {
      failure = error;
      profile = result?.profile;
    });
    this.session.disconnect();
    if (!profile) throw new Error(`the allocation profile could not be read: ${failure ?? 'no answer'}`);
    return profile;
  }
}

/** The bytes a profile's samples stand for, all call paths together. */
export function sampledBytes(profile: HeapProfiler.SamplingHeapProfile): number {
  const total = (node: HeapProfiler.SamplingHeapProfileNode): number =>
    node.children.reduce((sum, child) => sum + total(child), node.selfSize);
  return total(profile.head);
}
