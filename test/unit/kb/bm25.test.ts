import { describe, expect, it } from 'vitest';
import { sectionIndex } from '../../../lib/kb/bm25.js';

const everyTermCounts = () => 1;

describe('the section index (BM25)', () => {
  it('ranks by term frequency, field boost and rarity, and counts each query term a section holds', () => {
    const index = sectionIndex([3, 1]);
    index.add('title-hit', [['kubelet'], ['node', 'agent']]);
    index.add('text-hit', [['agent'], ['kubelet', 'node']]);
    index.add('other', [['disk'], ['node', 'full']]);
    const ranked = index.search(['kubelet', 'node'], everyTermCounts);
    expect(ranked.map((hit) => hit.id)).toEqual(['title-hit', 'text-hit', 'other']);
    expect(index.idf('kubelet')).toBeGreaterThan(index.idf('node'));
    expect(index.known('kubelet')).toBe(true);
    expect(index.known('quasar')).toBe(false);
    expect(index.search(['quasar'], everyTermCounts)).toEqual([]);
    // A term that counts for nothing finds nothing.
    expect(index.search(['kubelet'], () => 0)).toEqual([]);
  });

  it('replaces a section of the same id, forgets removed ones, and breaks ties for the newer section', () => {
    const index = sectionIndex([1]);
    index.add('a', [['redis', 'memory']]);
    index.add('b', [['redis', 'memory']]);
    expect(index.search(['redis'], everyTermCounts).map((hit) => hit.id)).toEqual(['b', 'a']);
    index.add('a', [['mysql', 'replication']]);
    expect(index.search(['redis'], everyTermCounts).map((hit) => hit.id)).toEqual(['b']);
    expect(index.holds('a', 'mysql')).toBe(true);
    expect(index.holds('a', 'redis')).toBe(false);
    index.remove('b');
    expect(index.search(['redis'], everyTermCounts)).toEqual([]);
    expect(index.known('redis')).toBe(false);
    expect(index.size).toBe(1);
  });

  it('stays right after many replacements (removed sections are compacted away)', () => {
    const index = sectionIndex([1]);
    for (let round = 0; round < 3000; round++) index.add(`s${round % 10}`, [['cert', `expiry${round}`]]);
    expect(index.size).toBe(10);
    const ranked = index.search(['cert', 'expiry2999'], everyTermCounts);
    expect(ranked).toHaveLength(10);
    expect(ranked[0]!.id).toBe('s9');
    expect(index.known('expiry5')).toBe(false);
  });
});
