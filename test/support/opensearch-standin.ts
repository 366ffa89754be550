import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { terms } from '../../lib/kb/segment.js';

type Doc = Record<string, unknown>;

/**
 * A stand-in for the OpenSearch endpoints the knowledge base uses (index exists/create, bulk, index, get,
 * delete_by_query, search). It records every request and refuses what OpenSearch would refuse or what the adapter
 * must not send: a search that is not `multi_match` over the boosted fields, a bulk body that is not NDJSON. Scoring
 * is a plain boosted term count (terms split like the embedded engine's), enough to rank the contract's documents.
 */
export class OpenSearchStandin {
  readonly requests: { method: string; path: string; body: unknown; authorization?: string }[] = [];
  readonly indices = new Map<string, { settings: unknown; docs: Map<string, Doc> }>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop() {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://standin');
    const method = req.method ?? 'GET';
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    const error = (status: number, type: string, reason: string) => send(status, { error: { type, reason }, status });
    let body: unknown;
    try {
      body = raw && !url.pathname.endsWith('/_bulk') ? JSON.parse(raw) : raw;
    } catch {
      return error(400, 'parse_exception', 'request body is not JSON');
    }
    this.requests.push({
      method,
      path: `${url.pathname}${url.search}`,
      body,
      authorization: req.headers.authorization,
    });
    const parts = url.pathname.split('/').filter(Boolean);

    if (parts[0] === '_bulk' && method === 'POST') {
      const lines = raw
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, any>);
      const items: unknown[] = [];
      for (let i = 0; i < lines.length; i += 2) {
        const action = lines[i]!.index;
        if (!action?._index || !action._id)
          return error(400, 'illegal_argument_exception', 'bulk action must be index with _index and _id');
        this.index(action._index).docs.set(action._id, lines[i + 1]!);
        items.push({ index: { _index: action._index, _id: action._id, status: 201 } });
      }
      return send(200, { took: 1, errors: false, items });
    }
    const [index, operation, id] = parts as [string, string | undefined, string | undefined];
    if (!operation) {
      if (method === 'HEAD') return send(this.indices.has(index) ? 200 : 404, {});
      if (method === 'PUT') {
        if (this.indices.has(index))
          return error(400, 'resource_already_exists_exception', `index [${index}] already exists`);
        this.indices.set(index, { settings: body, docs: new Map() });
        return send(200, { acknowledged: true, index });
      }
    }
    if (!this.indices.has(index)) return error(404, 'index_not_found_exception', `no such index [${index}]`);
    const docs = this.indices.get(index)!.docs;
    if (operation === '_doc' && id) {
      if (method === 'PUT' || method === 'POST') {
        docs.set(decodeURIComponent(id), body as Doc);
        return send(200, { _index: index, _id: id, result: 'created' });
      }
      const doc = docs.get(decodeURIComponent(id));
      return send(
        doc ? 200 : 404,
        doc ? { _index: index, _id: id, found: true, _source: doc } : { _index: index, _id: id, found: false },
      );
    }
    if (operation === '_delete_by_query') {
      const term = (body as { query?: { term?: Record<string, string> } }).query?.term ?? {};
      const [[field, value] = []] = Object.entries(term);
      let deleted = 0;
      for (const [docId, doc] of docs) if (field && doc[field] === value && docs.delete(docId)) deleted++;
      return send(200, { deleted });
    }
    if (operation === '_search') return send(200, this.search(docs, body as Record<string, any>));
    return error(400, 'unsupported', `${method} ${url.pathname} is not supported by the stand-in`);
  }

  private index(name: string) {
    if (!this.indices.has(name)) this.indices.set(name, { settings: {}, docs: new Map() });
    return this.indices.get(name)!;
  }

  private search(docs: Map<string, Doc>, body: Record<string, any>) {
    // Lexical search is a multi_match; hybrid search is a bool.should of that multi_match and a knn clause.
    const should = body.query?.bool?.should as Record<string, any>[] | undefined;
    const match = body.query?.multi_match ?? should?.find((clause) => clause.multi_match)?.multi_match;
    if (!match || typeof match.query !== 'string' || !Array.isArray(match.fields))
      throw new Error('search must be a multi_match');
    const wanted = new Set(terms(match.query));
    const fields = (match.fields as string[]).map((field) => {
      const [name, boost] = field.split('^');
      return { name: name!, boost: Number(boost ?? 1) };
    });
    const scored = [...docs.entries()]
      .map(([id, doc]) => {
        let score = 0;
        for (const { name, boost } of fields) {
          const value = Array.isArray(doc[name]) ? (doc[name] as string[]).join(' ') : String(doc[name] ?? '');
          score += boost * terms(value).filter((term) => wanted.has(term)).length;
        }
        return { id, doc, score };
      })
      .filter((hit) => hit.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, body.size ?? 10);
    const mark = (text: string) => {
      const line =
        text.split('\n').find((candidate) => [...wanted].some((term) => candidate.toLowerCase().includes(term))) ?? '';
      const escaped = line.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!).slice(0, 160);
      const words = [...wanted].filter((term) => term.length > 1).sort((a, b) => b.length - a.length);
      return words.length
        ? escaped.replace(
            new RegExp(`(${words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`, 'gi'),
            '<em>$1</em>',
          )
        : escaped;
    };
    return {
      took: 1,
      hits: {
        total: { value: scored.length, relation: 'eq' },
        hits: scored.map((hit) => ({
          _index: 'kb',
          _id: hit.id,
          _score: hit.score,
          _source: hit.doc,
          ...(body.highlight ? { highlight: { text: [mark(String(hit.doc.text ?? ''))].filter(Boolean) } } : {}),
        })),
      },
    };
  }
}
