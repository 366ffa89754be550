import { describe, expect, it } from 'vitest';
import { vectorIndex } from '../../../lib/kb/vectors.js';

describe('hybrid fusion of words and meaning', () => {
  const index = vectorIndex();
  index.set('disk', [1, 0, 0]);
  index.set('disk-2', [0.9, 0.1, 0]);
  index.set('nginx', [0, 1, 0]);
  index.set('storage', [0.95, 0, 0.05]);

  it('keeps the runbook the words single out by far, and lets meaning settle a near tie', () => {
    const question = [0, 1, 0];
    // nginx is close to the question's meaning but far behind in words: the words' leader stays first.
    expect(
      index.fuse(
        [
          { id: 'disk', score: 900 },
          { id: 'nginx', score: 100 },
        ],
        question,
      )[0]!.id,
    ).toBe('disk');
    // Two sections almost level in words: the one nearer in meaning goes first.
    expect(
      index.fuse(
        [
          { id: 'disk', score: 500 },
          { id: 'nginx', score: 490 },
        ],
        question,
      )[0]!.id,
    ).toBe('nginx');
  });

  it('adds sections found only by meaning, after those the words found', () => {
    const fused = index.fuse([{ id: 'nginx', score: 10 }], [1, 0, 0]);
    expect(fused.map((hit) => hit.id)).toEqual(expect.arrayContaining(['nginx', 'disk', 'disk-2', 'storage']));
    expect(fused.find((hit) => hit.id === 'disk')!.score).toBeLessThanOrEqual(0.3);
    index.remove('storage');
    expect(index.size).toBe(3);
    // Another model's vector (another size) is not kept; a freed row is used again.
    index.set('other-model', [1, 0]);
    expect(index.size).toBe(3);
    index.set('volume', [0.9, 0, 0.1]);
    expect(index.size).toBe(4);
    expect(index.fuse([], [1, 0, 0]).map((hit) => hit.id)).toContain('volume');
    index.remove('volume');
    expect(index.fuse([], [1, 0, 0]).map((hit) => hit.id)).not.toContain('storage');
  });
});
