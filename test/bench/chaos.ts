/**
 * npm run chaos [-- --alerts 500 --faults 0.3 --kills 0]
 * npm run chaos -- --alerts 300 --faults 0 --kills 2      (kill -9 of the runtime twice, mid-stream)
 * npm run chaos -- --log chaos.log                         (the runtime's output, and the Feishu calls in chaos.log.feishu.jsonl)
 *
 * Fires distinct alerts through a real Alertmanager into `npm start` while its Feishu fails a share of calls (HTTP
 * 500, hangs past the client's timeout, resets) and the runtime may be killed, then resolves them all, and prints what
 * reached Feishu: cards lost, doubled or left red, phone calls missing or doubled, and what the dead-letter queues
 * hold. Figures, not assertions: every count but the calls should be 0.
 */
import { parseArgs } from 'node:util';
import { runChaos } from '../support/chaos.js';

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: '500' },
    faults: { type: 'string', default: '0.3' },
    kills: { type: 'string', default: '0' },
    log: { type: 'string' },
  },
});

const report = await runChaos({
  alerts: Number(values.alerts),
  faults: Number(values.faults),
  kills: Number(values.kills),
  logFile: values.log,
  progress: (line) => console.error(`[chaos] ${line}`),
});
const deadLetters = Object.entries(report.deadLetters)
  .map(([queue, depth]) => `${queue} ${depth}`)
  .join(', ');
console.log(`
${report.alerts} alerts (${report.criticals} critical), Feishu failing ${Number(values.faults) * 100}% of calls, ${report.kills} kill -9 of the runtime, ${report.seconds} s
  cards delivered             ${report.deliveredCards} of ${report.expectedCards}
  lost in the chat            ${report.lostInChat}
  lost to the person paged    ${report.lostDirect}
  doubled                     ${report.doubled}
  left red after resolve      ${report.notGreen}
  criticals never phoned      ${report.phoneMissing}
  criticals phoned twice      ${report.phoneDoubled}
  dead letters                ${deadLetters}
  Feishu calls                ${report.feishuCalls} (${report.failedCalls} failed on purpose)
`);
