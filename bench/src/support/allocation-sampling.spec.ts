import { AllocationSampling, sampledBytes } from './allocation-sampling.js';

describe('AllocationSampling', () => {
  it('counts what was allocated, objects already collected included', () => {
    const sampling = new AllocationSampling(4_096);
    // 64 MB of short-lived strings: young-generation collections free them long before `stop`.
    let kept = 0;
    for (let i = 0; i < 1_000_000; i++) kept += `${i}`.padEnd(64, 'x').length;
    const bytes = sampledBytes(sampling.stop());

    expect(kept).toBe(64_000_000);
    expect(bytes).toBeGreaterThan(40_000_000);
  });
});
