import { describe, expect, it } from 'vitest';
import { articleFromMarkdown, sectionsOf } from '../../../lib/kb/markdown.js';

const runbook = `---
title: "MySQL 主从延迟"
tags: [mysql, database]
---

主从延迟会让读到的数据过期。

## 如何判断

\`\`\`bash
# 不是标题：代码块里的井号
SHOW SLAVE STATUS\\G
\`\`\`

### 看 Seconds_Behind_Master

超过 300 秒要处理。

## 如何处理

先查大事务。
`;

describe('markdown articles', () => {
  it('takes the title and tags from front matter', () => {
    const article = articleFromMarkdown('mysql-lag', runbook, 'runbooks/mysql-lag.md');
    expect(article).toMatchObject({
      id: 'mysql-lag',
      title: 'MySQL 主从延迟',
      tags: ['mysql', 'database'],
      source: 'runbooks/mysql-lag.md',
    });
    expect(articleFromMarkdown('x', '# Disk full\n\ntext', 'x.md').title).toBe('Disk full');
    expect(articleFromMarkdown('bare', 'just text', 'bare.md').title).toBe('bare');
  });

  it('cuts at headings outside code fences, naming each section by its heading path', () => {
    const sections = sectionsOf(articleFromMarkdown('mysql-lag', runbook, 'm.md'));
    expect(sections.map((section) => section.section)).toEqual([
      'MySQL 主从延迟',
      '如何判断',
      '如何判断 / 看 Seconds_Behind_Master',
      '如何处理',
    ]);
    expect(sections[1]!.text).toContain('# 不是标题');
    expect(sections.map((section) => section.id)).toEqual(['mysql-lag#0', 'mysql-lag#1', 'mysql-lag#2', 'mysql-lag#3']);
  });

  it('keeps a stub article findable by its title', () => {
    expect(sectionsOf(articleFromMarkdown('stub', '---\ntitle: Node NotReady\n---\n', 's.md'))).toEqual([
      {
        id: 'stub#0',
        articleId: 'stub',
        title: 'Node NotReady',
        section: 'Node NotReady',
        text: '',
        source: 's.md',
        tags: [],
      },
    ]);
  });
});
