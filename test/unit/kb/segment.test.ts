import { describe, expect, it } from 'vitest';
import { synonymsFor, terms, wordParts } from '../../../lib/kb/segment.js';

/** The segmenter's words of a text, without bigrams, single characters or camelCase parts. */
const words = (text: string) => wordParts(text).map(({ word }) => word);

describe('search terms', () => {
  it('finds Chinese words, drops stop words, and adds the bigrams and characters of Han runs', () => {
    const result = terms('Pod 一直处于 Pending 状态，节点资源不够');
    expect(result).toEqual(
      expect.arrayContaining(['pod', 'pend', '状态', '节点', '资源', '不够', '处于', '点资', '源不', '够']),
    );
    expect(result).not.toContain('一直');
    expect(result).not.toContain('的');
  });

  it('splits camelCase status words into the parts people type', () => {
    expect(terms('ImagePullBackOff')).toEqual(['imagepullbackoff', 'image', 'pull', 'back', 'off']);
    expect(words('NotReady')).toEqual(['notready']);
  });

  it('stems English plurals and verb endings, lower-cased', () => {
    expect(words('Restarting pods restarts the Services and logs')).toEqual([
      'restart',
      'pod',
      'restart',
      'service',
      'log',
    ]);
    expect(words('status dns')).toEqual(['status', 'dns']);
  });

  it('segments long text sentence by sentence (the segmenter slows on long strings)', () => {
    const long = '磁盘空间不足，清理日志后恢复。'.repeat(2000);
    const started = performance.now();
    expect(terms(long).length).toBeGreaterThan(10_000);
    expect(performance.now() - started).toBeLessThan(5_000); // a guard against the quadratic case, not a benchmark
  });

  it('cuts a sentence longer than a piece at spaces, so no word of it is lost', () => {
    const line = 'restart the failing pod on node-7 '.repeat(300);
    const found = words(line);
    expect(found.filter((word) => word === 'restart')).toHaveLength(300);
    expect(found.filter((word) => word === 'pod')).toHaveLength(300);
  });

  it('offers the other language’s word for ops terms', () => {
    expect(synonymsFor(words('节点 NotReady'), '节点 NotReady')).toContain('node');
    expect(synonymsFor(words('disk full on node'), 'disk full on node')).toEqual(
      expect.arrayContaining(['磁盘', '节点']),
    );
  });
});
