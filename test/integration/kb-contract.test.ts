import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedKnowledgeBase } from '../../lib/kb/embedded.js';
import type { KnowledgeBase } from '../../lib/kb/knowledge-base.js';
import { articleFromMarkdown } from '../../lib/kb/markdown.js';
import { openSearchKnowledgeBase } from '../../lib/kb/opensearch.js';
import { openSearchClient } from '../../lib/root/opensearch.js';
import { OpenSearchStandin } from '../support/opensearch-standin.js';

/** One contract, both adapters: what chat, the API and alert cards rely on, whichever engine is behind it. */
const disk = articleFromMarkdown(
  'disk-full',
  '---\ntitle: 主机磁盘空间不足\ntags: [linux]\n---\n\n## 找出占用\n\n用 du 找到最大的目录，lsof +L1 找已删除未释放的文件。\n\n## 快速腾空间\n\n清理旧日志 journalctl --vacuum-size。\n',
  'runbooks/disk.md',
);
const nginx = articleFromMarkdown(
  'nginx-502',
  '---\ntitle: Nginx returns 502 Bad Gateway\n---\n\n## Check the upstream\n\nConnection refused in the error log means the upstream is down.\n',
  'runbooks/nginx.md',
);

function contract(name: string, make: () => Promise<KnowledgeBase>) {
  describe(`knowledge base contract: ${name}`, () => {
    let kb: KnowledgeBase;
    beforeAll(async () => {
      kb = await make();
      await kb.upsert(disk);
      await kb.upsert(nginx);
    });

    it('finds the section that answers, with its article, section name, source and a marked snippet', async () => {
      const [hit] = await kb.search('磁盘空间不足 清理日志', 3);
      expect(hit).toMatchObject({
        articleId: 'disk-full',
        title: '主机磁盘空间不足',
        section: '快速腾空间',
        source: 'runbooks/disk.md',
      });
      expect(hit!.snippet).toMatch(/<em>/);
      expect(hit!.score).toBeGreaterThan(0);
      const [english] = await kb.search('upstream connection refused', 3);
      expect(english).toMatchObject({ articleId: 'nginx-502', section: 'Check the upstream' });
    });

    it('respects the size, and finds nothing for words no runbook has', async () => {
      expect((await kb.search('磁盘 日志 upstream', 1)).length).toBe(1);
      expect(await kb.search('quasar', 5)).toEqual([]);
    });

    it('returns articles by id and sections’ whole text', async () => {
      expect(await kb.get('nginx-502')).toMatchObject({ id: 'nginx-502', title: 'Nginx returns 502 Bad Gateway' });
      expect(await kb.get('missing')).toBeUndefined();
      const [hit] = await kb.search('lsof 已删除未释放', 1);
      expect(await kb.sectionText(hit!.sectionId)).toContain('lsof +L1');
    });

    it('replaces an article by id: its old sections are gone', async () => {
      expect(
        await kb.upsert({ ...nginx, body: '## Restart it\n\nRestart the upstream service and watch the log.\n' }),
      ).toEqual({ sections: 1 });
      expect(await kb.search('connection refused error', 5)).toEqual([]);
      expect((await kb.search('restart upstream service', 1))[0]).toMatchObject({
        articleId: 'nginx-502',
        section: 'Restart it',
      });
    });
  });
}

contract('embedded', async () => embeddedKnowledgeBase());

let standin: OpenSearchStandin;
beforeAll(async () => {
  standin = await new OpenSearchStandin().start();
});
afterAll(async () => {
  await standin?.stop();
});
contract('OpenSearch', async () =>
  openSearchKnowledgeBase(await openSearchClient({ url: standin.url }), { prefix: 'openclaw-kb', analyzer: 'smartcn' }),
);

describe('the OpenSearch adapter’s requests', () => {
  it('creates its indices once, with the configured Chinese analyzer, and searches with multi_match and highlight', () => {
    const creates = standin.requests.filter((r) => r.method === 'PUT' && !r.path.includes('_doc'));
    expect(creates.map((r) => r.path)).toEqual(['/openclaw-kb-sections', '/openclaw-kb-articles']);
    expect(JSON.stringify(creates[0]!.body)).toContain('"analyzer":"smartcn"');
    const search = standin.requests.find((r) => r.path.startsWith('/openclaw-kb-sections/_search'))!.body as any;
    expect(search.query.multi_match.fields).toEqual(['title^3', 'section^2', 'tags^2', 'text']);
    expect(search.highlight.pre_tags).toEqual(['<em>']);
    expect(standin.requests.some((r) => r.path.startsWith('/openclaw-kb-sections/_delete_by_query'))).toBe(true);
  });
});

describe('SigV4 for Amazon OpenSearch Service', () => {
  it('signs every request with the function’s credentials (AwsSigv4Signer)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
    });
    try {
      const signedStandin = await new OpenSearchStandin().start();
      const kb = openSearchKnowledgeBase(
        await openSearchClient({ url: signedStandin.url, sigv4: { region: 'ap-southeast-1', service: 'es' } }),
        { prefix: 'kb', analyzer: 'cjk' },
      );
      await kb.search('磁盘', 1);
      await signedStandin.stop();
      expect(signedStandin.requests.length).toBeGreaterThan(0);
      for (const request of signedStandin.requests)
        expect(request.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-southeast-1\/es\/aws4_request/,
        );
    } finally {
      process.env = saved;
    }
  });
});

describe('hybrid search when embeddings are configured', () => {
  it('stores a vector per section in a knn index and searches lexical OR k-NN; a failed embedding falls back to lexical', async () => {
    const hybrid = await new OpenSearchStandin().start();
    let failing = false;
    const embedder = {
      dimensions: 4,
      embed: async (texts: string[]) => {
        if (failing) throw new Error('embeddings down');
        return texts.map((text) => [text.length % 7, 1, 0, text.includes('磁盘') ? 1 : 0]);
      },
    };
    try {
      const kb = openSearchKnowledgeBase(await openSearchClient({ url: hybrid.url }), {
        prefix: 'hy',
        analyzer: 'cjk',
        embedder,
      });
      await kb.upsert(disk);
      const create = hybrid.requests.find((r) => r.method === 'PUT' && r.path === '/hy-sections')!.body as any;
      expect(create.settings.index.knn).toBe(true);
      expect(create.mappings.properties.embedding).toMatchObject({ type: 'knn_vector', dimension: 4 });
      expect(
        [...hybrid.indices.get('hy-sections')!.docs.values()].every(
          (doc) => Array.isArray(doc.embedding) && (doc.embedding as number[]).length === 4,
        ),
      ).toBe(true);
      expect((await kb.search('磁盘 清理日志', 3))[0]?.articleId).toBe('disk-full');
      const search = hybrid.requests.filter((r) => r.path.startsWith('/hy-sections/_search')).at(-1)!.body as any;
      expect(search.query.bool.should[1].knn.embedding).toMatchObject({ vector: [expect.any(Number), 1, 0, 1], k: 20 });
      expect(search._source).toEqual({ excludes: ['embedding'] });
      failing = true;
      expect((await kb.search('磁盘 清理日志', 3))[0]?.articleId).toBe('disk-full');
      expect(
        (hybrid.requests.filter((r) => r.path.startsWith('/hy-sections/_search')).at(-1)!.body as any).query
          .multi_match,
      ).toBeDefined();
    } finally {
      await hybrid.stop();
    }
  });
});

describe('hybrid search in the embedded engine', () => {
  /** Vectors by meaning for three words, as a model would place them: 磁盘 and storage close, nginx apart. */
  const meaning = (text: string) => [
    /磁盘|storage|volume/i.test(text) ? 1 : 0,
    /nginx|gateway/i.test(text) ? 1 : 0,
    0.1,
  ];

  it('adds the sections nearest in meaning to those that share words, ranks fused, and falls back to words', async () => {
    let failing = false;
    const asked: string[][] = [];
    const kb = embeddedKnowledgeBase({
      embedder: {
        dimensions: 3,
        embed: async (texts) => {
          asked.push(texts);
          if (failing) throw new Error('embeddings down');
          return texts.map(meaning);
        },
      },
    });
    await kb.upsert(disk);
    await kb.upsert(nginx);
    // One call per article with all its sections, then one per search.
    expect(asked.slice(0, 2).map((texts) => texts.length)).toEqual([2, 1]);
    // No word of this question is in any runbook; the disk runbook's meaning is near it.
    expect((await kb.search('volume storage', 3))[0]?.articleId).toBe('disk-full');
    const both = await kb.search('nginx gateway upstream', 3);
    expect(both[0]).toMatchObject({ articleId: 'nginx-502', section: 'Check the upstream' });
    failing = true;
    expect((await kb.search('upstream connection refused', 3))[0]).toMatchObject({ articleId: 'nginx-502' });
    expect(await kb.search('volume storage', 3)).toEqual([]);
  });
});
