/**
 * `npm run chaos`, smaller: 40 alerts through a real Alertmanager into `npm start`, while Feishu fails 30 % of calls
 * and the runtime is killed with kill -9 twice (once while alerts fire, once while they resolve).
 */
import { expect, it } from 'vitest';
import { runChaos } from '../support/chaos.js';

it('delivers every card exactly once and turns it green, and rings every critical once, through faults and kill -9', async () => {
  const report = await runChaos({ alerts: 40, faults: 0.3, kills: 2 });
  expect(report).toMatchObject({
    kills: 2,
    deliveredCards: report.expectedCards,
    lostInChat: 0,
    lostDirect: 0,
    doubled: 0,
    notGreen: 0,
    phoneMissing: 0,
    phoneDoubled: 0,
  });
  expect(report.failedCalls).toBeGreaterThan(0);
  expect(Object.values(report.deadLetters).every((depth) => depth === 0)).toBe(true);
}, 420_000);
