import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedKnowledgeBase } from '../../../lib/kb/embedded.js';
import { articleFromMarkdown } from '../../../lib/kb/markdown.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A knowledge-base file in a folder of its own, removed after the test. */
function kbFile() {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-kb-'));
  dirs.push(dir);
  return join(dir, 'kb.json');
}

const disk = articleFromMarkdown(
  'disk-full',
  '---\ntitle: 磁盘爆满\n---\n\n## 如何清理\n\n用 `du -sh /var/log/*` 找到最大的日志，清理后磁盘恢复。\n\n## 如何规避\n\n配置 logrotate。\n',
  'disk.md',
);
const nginx = articleFromMarkdown(
  'nginx-502',
  '---\ntitle: Nginx returns 502 Bad Gateway\n---\n\n## Check the upstream\n\nThe upstream service is down or refusing connections; restart it and watch the error log.\n',
  'nginx.md',
);

describe('the embedded knowledge base', () => {
  it('finds the section that answers, in Chinese and in English, with the words marked', async () => {
    const kb = embeddedKnowledgeBase();
    await kb.upsert(disk);
    await kb.upsert(nginx);
    const [zh] = await kb.search('磁盘满了怎么清理日志', 3);
    expect(zh).toMatchObject({ articleId: 'disk-full', title: '磁盘爆满', section: '如何清理', source: 'disk.md' });
    expect(zh!.snippet).toContain('<em>');
    const [en] = await kb.search('nginx 502 upstream refused', 3);
    expect(en).toMatchObject({ articleId: 'nginx-502', section: 'Check the upstream' });
    expect(await kb.search('的 了', 3)).toEqual([]);
  });

  it('finds an English runbook from a Chinese question through the ops synonyms', async () => {
    const kb = embeddedKnowledgeBase();
    await kb.upsert(nginx);
    expect((await kb.search('重启上游服务', 3))[0]?.articleId).toBe('nginx-502');
  });

  it('replaces an article on upsert by id, and keeps articles in its file across restarts', async () => {
    const file = kbFile();
    const kb = embeddedKnowledgeBase({ file });
    await kb.upsert(disk);
    expect(await kb.upsert({ ...disk, body: '## 新的内容\n\n只剩 inode 耗尽。' })).toEqual({ sections: 1 });
    expect(await kb.search('logrotate', 3)).toEqual([]);
    const reopened = embeddedKnowledgeBase({ file });
    expect((await reopened.get('disk-full'))?.body).toContain('inode');
    expect((await reopened.search('inode 耗尽', 3))[0]?.section).toBe('新的内容');
  });

  it('lets other work run while it indexes a long article, and finds it afterwards', async () => {
    const kb = embeddedKnowledgeBase();
    // One line of 100,000 characters without a break: the segmenter alone once took a minute on it.
    const body = '磁盘使用率过高时先清理日志文件然后检查挂载点和inode'.repeat(4_000).slice(0, 100_000);
    const order: string[] = [];
    setTimeout(() => order.push('timer'), 0);
    await kb.upsert({ id: 'long', title: '长文', tags: [], body, source: 'long.md' }).then(() => order.push('indexed'));
    expect(order).toEqual(['timer', 'indexed']);
    expect((await kb.search('清理日志 挂载点', 1))[0]?.articleId).toBe('long');
  });

  it("answers a search from its index while it picks up another process's changes; a read waits for them", async () => {
    const file = kbFile();
    const writer = embeddedKnowledgeBase({ file });
    await writer.upsert(nginx);
    const reader = embeddedKnowledgeBase({ file });
    expect((await reader.search('nginx 502', 1))[0]?.articleId).toBe('nginx-502');
    await writer.upsert(disk);
    expect(await reader.search('logrotate', 1)).toEqual([]);
    expect((await reader.get('disk-full'))?.title).toBe('磁盘爆满');
    expect((await reader.search('logrotate', 1))[0]?.articleId).toBe('disk-full');
  });

  it('escapes markup in snippets so only the highlight tags are HTML', async () => {
    const kb = embeddedKnowledgeBase();
    await kb.upsert(articleFromMarkdown('x', '# Proxy\n\nSet <upstream> timeout & retry on proxy errors.', 'x.md'));
    expect((await kb.search('proxy timeout', 1))[0]!.snippet).toBe(
      'Set &lt;upstream&gt; <em>timeout</em> &amp; retry on <em>proxy</em> errors.',
    );
  });
});
