import { describe, expect, it } from 'vitest';
import { embeddedKnowledgeBase } from '../../../lib/kb/embedded.js';
import type { Article } from '../../../lib/kb/markdown.js';

/**
 * Runbooks in the shape most teams write them for alerts: named after the alert, with what it means, its impact and
 * what to do. Families share most of their words (every "…Down" runbook talks about scrape targets), so what tells
 * them apart is one distinctive word or which words go together. Written for this test.
 */
const runbook = (title: string, meaning: string, mitigation: string): Article => ({
  id: title,
  title,
  tags: [],
  source: `runbooks/${title}.md`,
  body: `# ${title}\n\n## Meaning\n\n${meaning}\n\n## Impact\n\nDashboards and alerts that rely on this component stop working.\n\n## Mitigation\n\n${mitigation}\n`,
});

const down = (component: string, what: string) =>
  runbook(
    `${component}Down`,
    `The ${what} cannot be reached by monitoring: it stopped, or its endpoint is gone.`,
    `Check the ${what} pods and their logs, and the network path from monitoring to them.`,
  );

const runbooks: Article[] = [
  down('Kubelet', 'kubelet'),
  down('KubeAPI', 'API server'),
  down('KubeScheduler', 'scheduler'),
  down('KubeControllerManager', 'controller manager'),
  down('KubeProxy', 'kube-proxy'),
  down('CoreDNS', 'cluster DNS'),
  runbook(
    'KubeJobFailed',
    'A Kubernetes Job did not complete: its pods exited with errors until the backoff limit was reached.',
    'Describe the Job, read the logs of its last pod, fix the cause and delete the Job so it can be created again.',
  ),
  runbook(
    'KubeJobNotCompleted',
    'A Kubernetes Job is taking longer than expected to finish; it may be stuck or too slow.',
    'Check whether its pods are running and making progress, and whether the deadline is too short.',
  ),
  runbook(
    'NodeRAIDDegraded',
    'A software RAID array on the node lost redundancy: one of its member disks failed or was removed.',
    'Replace the disk and add it back to the array with mdadm; watch /proc/mdstat until the rebuild finishes.',
  ),
  runbook(
    'NodeFilesystemSpaceFillingUp',
    'A filesystem on the node is predicted to run out of space within hours at the current write rate.',
    'Find what grows with du, clean old logs and images, or grow the volume.',
  ),
  runbook(
    'ServiceNotReady',
    'No ready pods of the service were detected: pods are running, but the readiness probe fails on every one.',
    'Check the readiness probe and what the service waits for at start.',
  ),
  runbook(
    'ServiceDown',
    'No running pods of the service: all of them crashed or were never scheduled.',
    'Check the deployment events and why the pods exit or stay pending.',
  ),
];

async function knowledgeBase() {
  const kb = embeddedKnowledgeBase();
  for (const article of runbooks) await kb.upsert(article);
  return kb;
}

const firstArticle = async (kb: Awaited<ReturnType<typeof knowledgeBase>>, query: string) =>
  (await kb.search(query, 20))[0]?.articleId;

describe('retrieval of the runbook for an alert', () => {
  it('finds the runbook named by the one distinctive word among boilerplate the whole family shares', async () => {
    const kb = await knowledgeBase();
    const boilerplate =
      'has disappeared from Prometheus target discovery. Target disappeared from Prometheus target discovery.';
    expect(await firstArticle(kb, `Kubelet ${boilerplate}`)).toBe('KubeletDown');
    expect(await firstArticle(kb, `Scheduler ${boilerplate}`)).toBe('KubeSchedulerDown');
    expect(await firstArticle(kb, `KubeProxy ${boilerplate}`)).toBe('KubeProxyDown');
  });

  it('keeps a runbook whose title the alert names, however long the alert text around it', async () => {
    const kb = await knowledgeBase();
    // Most of this text is in no runbook; the runbook shares only its title's words with it.
    expect(
      await firstArticle(
        kb,
        'Job batch/nightly-report-2291 failed to complete. Removing the failed job after investigation should clear this alert; see the owning team channel for the report generator and the warehouse export schedule.',
      ),
    ).toBe('KubeJobFailed');
    expect(
      await firstArticle(
        kb,
        'RAID array md0 at node-7.example is in degraded state due to one or more disks failures. Number of spare drives is insufficient to fix the issue automatically.',
      ),
    ).toBe('NodeRAIDDegraded');
  });

  it('tells runbooks of one family apart by which words go together', async () => {
    const kb = await knowledgeBase();
    expect(await firstArticle(kb, 'No running pods of checkout were detected for the last 10 minutes.')).toBe(
      'ServiceDown',
    );
    expect(await firstArticle(kb, 'Some pods of checkout are running but not ready.')).toBe('ServiceNotReady');
  });

  it('still answers nothing from one coincidental word', async () => {
    const kb = await knowledgeBase();
    expect(await kb.search('mars base oxygen tank pressure running low', 5)).toEqual([]);
  });

  it('answers with the best matches when no runbook covers enough of a question the runbooks speak to', async () => {
    const kb = await knowledgeBase();
    // Four words, each in another runbook: none covers a third of the question, but all of its words are known.
    const hits = await kb.search('mdadm readiness deadline du', 5);
    expect(hits.map((hit) => hit.articleId)).toEqual(
      expect.arrayContaining([
        'NodeRAIDDegraded',
        'ServiceNotReady',
        'KubeJobNotCompleted',
        'NodeFilesystemSpaceFillingUp',
      ]),
    );
  });
});
