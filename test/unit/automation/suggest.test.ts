import { describe, expect, it } from 'vitest';
import { suggestedAction } from '../../../lib/automation/suggest.js';
import { articleFromMarkdown } from '../../../lib/kb/markdown.js';
import { makeAlert } from '../fakes/alerts.js';

const runbook = [
  '---',
  'title: Nginx 502',
  'actions:',
  '  - action: restart_service',
  "    args: { host: '{{host}}', unit: nginx }",
  '---',
  '## 处理',
  '重启 nginx。',
].join('\n');

describe("a runbook's suggested action", () => {
  it('is read from the front matter of a markdown runbook', () => {
    expect(articleFromMarkdown('nginx-502', runbook, 'file').actions).toEqual([
      { action: 'restart_service', args: { host: '{{host}}', unit: 'nginx' } },
    ]);
    expect(articleFromMarkdown('x', '---\nactions: [{ action: "rm -rf" }]\n---\nbody', 'file').actions).toBeUndefined();
  });

  it('is the first declared action in the registry whose arguments, filled from the alert, pass its schema', () => {
    const actions = articleFromMarkdown('nginx-502', runbook, 'file').actions;
    expect(suggestedAction(actions, makeAlert({ host: 'web-01' }))).toEqual({
      action: 'restart_service',
      args: { host: 'web-01', unit: 'nginx' },
      title: '重启服务',
    });
    // No host to fill in, or one that is not a plain host name: nothing is offered.
    expect(suggestedAction(actions, makeAlert({ host: undefined }))).toBeUndefined();
    expect(suggestedAction(actions, makeAlert({ host: 'web-01;reboot' }))).toBeUndefined();
    expect(suggestedAction([{ action: 'drop_database', args: {} }], makeAlert())).toBeUndefined();
  });
});
