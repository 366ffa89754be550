import { HttpError } from '../../lambda/errors.js';
import { alertmanager } from './alertmanager.js';
import { cloudwatch } from './cloudwatch.js';
import { generic } from './generic.js';
import type { AlertSourceDefinition } from './source.js';

/** Every alert source, by the name in its path (`POST /alerts/{source}`). A new source is a file and a line here. */
export const alertSources: readonly AlertSourceDefinition[] = [alertmanager, cloudwatch, generic];

export function alertSource(name: string | undefined): AlertSourceDefinition {
  const source = alertSources.find((entry) => entry.name === name);
  if (!source) {
    const known = alertSources.map((entry) => entry.name).join(', ');
    throw new HttpError(404, `no alert source ${name ?? ''}; POST to /alerts/<source> with one of: ${known}`);
  }
  return source;
}
