import { describe, expect, it, vi } from 'vitest';
import { within } from '../../../lib/lambda/within.js';

describe('within', () => {
  it('gives what the work settles with when it is in time, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    try {
      await expect(within(Promise.resolve('done'), 1000, () => 'late')).resolves.toBe('done');
      await expect(within(Promise.reject(new Error('broke')), 1000, () => 'late')).rejects.toThrow('broke');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives what late() gives, or rejects with what it throws, once the time is up', async () => {
    const never = new Promise<string>(() => {});
    await expect(within(never, 5, () => 'late')).resolves.toBe('late');
    await expect(
      within(never, 5, () => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
  });
});
