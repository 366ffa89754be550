import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { projectRoot } from '../../infra/local/runtime.js';
import { loadServerlessConfig } from '../../infra/local/serverless-config.js';

/**
 * Each function's bundle as `serverless package` builds it: the esbuild options of serverless.yml, including what it
 * leaves to the Lambda runtime (`exclude`), so the figures are those of the deployed artefacts.
 */
export async function bundleSizes(only?: string[]): Promise<Record<string, { minified: number; gzip: number }>> {
  const config = loadServerlessConfig(`${projectRoot}/serverless.yml`, {
    stage: 'bench',
    region: 'us-east-1',
    env: {},
  });
  const options = config.custom.esbuild;
  const sizes: Record<string, { minified: number; gzip: number }> = {};
  for (const [name, fn] of Object.entries<{ handler: string }>(config.functions)) {
    if (only && !only.includes(name)) continue;
    const entry = `${projectRoot}/${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.ts`;
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      minify: options.minify,
      charset: options.charset,
      platform: options.platform,
      target: options.target,
      format: options.format,
      mainFields: options.mainFields,
      external: options.exclude ?? [],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    sizes[name] = { minified: code.length, gzip: gzipSync(code).length };
  }
  return sizes;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
