import type { Reporter } from 'vitest/reporters';
import { defineConfig } from 'vitest/config';

type Task = { type: string; mode?: string; result?: { state?: string }; tasks?: Task[] };

/** Ends the run with a plain `N passed, N failed, N skipped` line, which CI tooling reads in any language. */
const summaryLine: Reporter = {
  onFinished(files = []) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: Task) => {
      if (task.type === 'test') {
        if (task.result?.state === 'pass') counts.passed++;
        else if (task.result?.state === 'fail') counts.failed++;
        else counts.skipped++;
      }
      task.tasks?.forEach(visit);
    };
    (files as unknown as Task[]).forEach(visit);
    console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  },
};

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every end-to-end file starts its own local runtime and peers; each file gets its own process.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default', summaryLine],
  },
});
