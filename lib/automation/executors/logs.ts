import { lookBackMs } from '../arguments.js';
import { ExpectedError } from '../../lambda/errors.js';
import { within } from '../../lambda/within.js';
import type { Executor } from '../executor.js';

export interface LogLine {
  timestamp: string;
  service: string;
  level?: string;
  host?: string;
  message: string;
}

/** Recent log lines of a service, newest first. Adapters: OpenSearch (AWS), an embedded file (local runs). */
export interface LogSearch {
  recent(service: string, since: Date, limit: number): Promise<LogLine[]>;
}

const format = ({ timestamp, level, host, message }: LogLine) =>
  `${timestamp} ${(level ?? '').toUpperCase().padEnd(5)} ${host ? `[${host}] ` : ''}${message}`;

/**
 * `check_logs`: a service's recent lines, counted by level, printed oldest to newest so the card's tail is the latest.
 */
export function checkLogsExecutor(search: LogSearch | undefined): Executor {
  return async (args, { deadline }) => {
    if (!search) return { ok: false, summary: '日志后端未配置（OPENSEARCH_URL）', output: '' };
    const service = args.service as string;
    const since = new Date(Date.now() - lookBackMs(args.since as string));
    const lines = await within(
      search.recent(service, since, args.limit as number),
      Math.max(1_000, deadline - Date.now()),
      () => {
        throw new ExpectedError('日志查询超时', 'log search timed out');
      },
    );
    const errors = lines.filter((line) => /^(error|fatal|crit)/i.test(line.level ?? '')).length;
    return {
      ok: true,
      summary: lines.length
        ? `${service} 最近 ${args.since} 内 ${lines.length} 行日志（其中错误 ${errors} 行），最新的在最后`
        : `${service} 最近 ${args.since} 内没有日志`,
      output: [...lines].reverse().map(format).join('\n'),
    };
  };
}
