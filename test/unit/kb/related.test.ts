import { describe, expect, it } from 'vitest';
import { excerptOf, relatedKnowledge, relatedQuery } from '../../../lib/kb/related.js';
import type { KnowledgeBase } from '../../../lib/kb/knowledge-base.js';
import { makeAlert } from '../fakes/alerts.js';

describe('the knowledge an alert card shows', () => {
  it('is looked up with the name, the summary, the service and the labels that say what is affected', () => {
    const alert = makeAlert({
      name: 'NodeFilesystemAlmostFull',
      summary: '磁盘快满了',
      service: 'mysql',
      labels: { alertname: 'NodeFilesystemAlmostFull', severity: 'critical', device: '/dev/sdb1', job: 'node' },
    });
    expect(relatedQuery(alert)).toBe('Node Filesystem Almost Full 磁盘快满了 mysql /dev/sdb1');
  });

  it('carries the first lines of the best section as plain text, about 300 characters at most', async () => {
    expect(excerptOf('## 处理\n\n1. 先看 **upstream**\n- 再看 `error.log`\n')).toBe(
      '处理 · 先看 upstream · 再看 error.log',
    );
    expect(excerptOf('长'.repeat(400))).toHaveLength(300);
    const kb = {
      search: async () => [
        { articleId: 'a', sectionId: 'a#1', title: 'Nginx', section: '502', snippet: '', score: 1, source: 's' },
      ],
      sectionText: async () => '重启 nginx 之前先看 upstream',
      get: async () => ({ id: 'a', title: 'Nginx', tags: [], body: '', source: 's' }),
    } as unknown as KnowledgeBase;
    await expect(relatedKnowledge(kb)(makeAlert())).resolves.toEqual({
      title: 'Nginx',
      section: '502',
      source: 's',
      excerpt: '重启 nginx 之前先看 upstream',
    });
  });
});
