import { notInInventory, type Inventory } from '../config.js';
import { connectionProblem, errorDetail, type Executor } from '../executor.js';

/** `http_check`: GET the inventory's URL for a check, report the status and the time it took. */
export function httpCheckExecutor(inventory: Inventory, fetchImpl: typeof fetch = fetch): Executor {
  return async (args) => {
    const name = args.check as string;
    const check = inventory.checks[name];
    if (!check) throw notInInventory('check', name);
    const started = performance.now();
    try {
      const response = await fetchImpl(check.url, {
        method: 'GET',
        redirect: 'manual',
        signal: AbortSignal.timeout(check.timeout * 1000),
      });
      const body = (await response.text()).slice(0, 2000);
      const ms = Math.round(performance.now() - started);
      const ok = response.status === check.expectStatus;
      return {
        ok,
        summary: `${name}：HTTP ${response.status}${ok ? '' : `（期望 ${check.expectStatus}）`}，耗时 ${ms} ms`,
        output: `GET ${check.url}\nHTTP ${response.status} ${response.statusText} in ${ms} ms\n\n${body}`,
      };
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      const reason =
        (error as Error).name === 'TimeoutError' ? `${check.timeout} 秒内没有响应` : connectionProblem(error);
      return {
        ok: false,
        summary: `${name}：请求失败（${reason}），耗时 ${ms} ms`,
        output: `GET ${check.url}\n${errorDetail(error)}`,
      };
    }
  };
}
