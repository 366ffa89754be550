import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/local/runtime.js';
import { loadServerlessConfig } from '../../infra/local/serverless-config.js';

/** A function's bundle, built as `serverless package` builds it. */
async function bundle(functionName: string) {
  const config = loadServerlessConfig(`${projectRoot}/serverless.yml`, { stage: 'test', region: 'us-east-1', env: {} });
  const options = config.custom.esbuild;
  const handler: string = config.functions[functionName].handler;
  const result = await build({
    entryPoints: [`${projectRoot}/${handler.slice(0, handler.lastIndexOf('.'))}.ts`],
    bundle: true,
    write: false,
    minify: options.minify,
    charset: options.charset,
    platform: options.platform,
    target: options.target,
    format: options.format,
    mainFields: options.mainFields,
    external: options.exclude ?? [],
    metafile: true,
    logLevel: 'silent',
  });
  return { size: result.outputFiles[0]!.contents.length, metafile: result.metafile };
}

/** The npm packages a function's bundle carries. */
async function packagesIn(functionName: string): Promise<string[]> {
  const result = await bundle(functionName);
  const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
  const packages = Object.entries(inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1])
    .filter((name): name is string => Boolean(name));
  return [...new Set(packages)].sort();
}

describe('what each function bundles', () => {
  it('the webhook answers with node:crypto alone: no Feishu SDK, Kubernetes client, SSH, YAML or model client', async () => {
    expect(await packagesIn('feishu-webhook')).toEqual(['@middy/core', 'zod']);
    // Its budget, so it loads fast enough for Feishu's 1 s URL check: one `import { z } from 'zod'` would triple it.
    expect((await bundle('feishu-webhook')).size).toBeLessThanOrEqual(150 * 1024);
  });

  it('alert ingest carries the SNS validator, and nothing of Feishu, automation or the knowledge base', async () => {
    expect(await packagesIn('alert-ingest')).toEqual(['@middy/core', 'lru-cache', 'sns-payload-validator', 'zod']);
  });

  it('only the functions that talk to Feishu load its SDK', async () => {
    expect(await packagesIn('alert-dedup')).not.toContain('@larksuiteoapi/node-sdk');
    expect(await packagesIn('kb')).not.toContain('@larksuiteoapi/node-sdk');
    // The router only stores and wakes the incident worker, which alone talks to Feishu about incidents.
    expect(await packagesIn('alert-router')).not.toContain('@larksuiteoapi/node-sdk');
    expect(await packagesIn('timer-sweep')).not.toContain('@larksuiteoapi/node-sdk');
    expect(await packagesIn('incident-timers')).toContain('@larksuiteoapi/node-sdk');
    expect(await packagesIn('incident-timers')).not.toContain('@kubernetes/client-node');
  });
}, 60_000);
