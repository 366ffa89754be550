import middy from '@middy/core';
import { logContext } from '../lib/lambda/middlewares/log-context.js';
import { publishMetrics } from '../lib/lambda/middlewares/publish-metrics.js';
import { metrics } from '../lib/root/adapters.js';
import { timerSweep } from '../lib/root/timer-sweep.js';

const sweep = timerSweep();

/** Every minute (an EventBridge schedule): a wakeup for every incident timer that is due (lib/incidents/sweep.ts). */
export const handler = middy()
  .use(logContext('timer-sweep'))
  .use(publishMetrics('timer-sweep', metrics()))
  .handler(() => sweep.run());
