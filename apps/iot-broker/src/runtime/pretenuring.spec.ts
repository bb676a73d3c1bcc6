import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { turnOffPretenuring } from './pretenuring.js';

describe(turnOffPretenuring.name, () => {
  it('turns pretenuring off when the command line does not name it', () => {
    const setFlags = vi.fn();

    expect(turnOffPretenuring(['--enable-source-maps'], setFlags)).toBe(true);
    expect(setFlags).toHaveBeenCalledExactlyOnceWith('--no-allocation-site-pretenuring');
  });

  it.each([
    '--allocation-site-pretenuring',
    '--allocation_site_pretenuring',
    '--no-allocation-site-pretenuring',
    '--no-allocation_site_pretenuring',
  ])('leaves the choice to the command line when it says %s', (flag) => {
    const setFlags = vi.fn();

    expect(turnOffPretenuring(['--max-old-space-size=512', flag], setFlags)).toBe(false);
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('sets a flag that the V8 of this Node knows (setFlagsFromString ignores unknown ones silently)', () => {
    const setFlags = vi.fn();
    turnOffPretenuring([], setFlags);
    const [flag] = setFlags.mock.calls[0] as [string];
    const v8Options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });

    expect(v8Options).toContain(`  ${flag.replace('--no-', '--')} (`);
  });
});
