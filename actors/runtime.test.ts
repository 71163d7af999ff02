import { describe, expect, it } from 'vitest';
import { Lifecycle, LifecycleError } from './runtime.ts';

describe('actor lifecycle', () => {
  it('follows INITIALIZED -> RUNNING -> DRAINING -> STOPPED and reports each change', () => {
    const l = new Lifecycle();
    const seen: string[] = [];
    l.onChange((s) => seen.push(s));
    l.to('RUNNING');
    l.to('DRAINING');
    l.to('STOPPED');
    expect(seen).toEqual(['RUNNING', 'DRAINING', 'STOPPED']);
  });

  it('refuses transitions out of a final state or backwards', () => {
    const l = new Lifecycle();
    l.to('RUNNING');
    l.to('FAILED');
    expect(() => l.to('RUNNING')).toThrow(LifecycleError);
    const m = new Lifecycle();
    m.to('RUNNING');
    m.to('DRAINING');
    expect(() => m.to('RUNNING')).toThrow(/cannot go from DRAINING to RUNNING/);
  });
});
