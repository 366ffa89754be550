import { readFile } from 'node:fs/promises';
import type { Client } from '@opensearch-project/opensearch';
import { ExpectedError } from '../../lambda/errors.js';
import { connectionProblem, errorDetail } from '../executor.js';
import type { LogLine, LogSearch } from './logs.js';

interface LogDocument {
  '@timestamp'?: string;
  timestamp?: string;
  service?: string;
  level?: string;
  host?: string | { name?: string };
  message?: string;
}

const toLine = (doc: LogDocument): LogLine => ({
  timestamp: doc['@timestamp'] ?? doc.timestamp ?? '',
  service: doc.service ?? '',
  level: doc.level,
  host: typeof doc.host === 'string' ? doc.host : doc.host?.name,
  message: (doc.message ?? '').slice(0, 2000),
});

/** Log lines in OpenSearch: a term filter on the service, a time range, newest first. */
export function openSearchLogSearch(client: Client, options: { index: string; serviceField?: string }): LogSearch {
  return {
    async recent(service, since, limit) {
      const response = await client
        .search({
          index: options.index,
          body: {
            size: limit,
            sort: [{ '@timestamp': { order: 'desc' } }],
            query: {
              bool: {
                filter: [
                  { term: { [options.serviceField ?? 'service']: service } },
                  { range: { '@timestamp': { gte: since.toISOString() } } },
                ],
              },
            },
            _source: ['@timestamp', 'service', 'level', 'host', 'message'],
          },
        })
        .catch((error: unknown) => {
          const status = (error as { meta?: { statusCode?: unknown } }).meta?.statusCode;
          const problem = typeof status === 'number' ? `OpenSearch 返回 HTTP ${status}` : connectionProblem(error);
          throw new ExpectedError(`日志查询失败：${problem}`, `log search in OpenSearch failed: ${errorDetail(error)}`);
        });
      const hits = (response.body as { hits?: { hits?: { _source?: LogDocument }[] } }).hits?.hits ?? [];
      return hits.map((hit) => toLine(hit._source ?? {}));
    },
  };
}

/** Local runs: JSON lines in a file (the local runtime seeds a few), filtered and sorted the same way. */
export function fileLogSearch(path: string): LogSearch {
  return {
    async recent(service, since, limit) {
      const text = await readFile(path, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => toLine(JSON.parse(line) as LogDocument))
        .filter((line) => line.service === service && line.timestamp >= since.toISOString())
        .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
        .slice(0, limit);
    },
  };
}
