import * as z from 'zod';

/**
 * Argument patterns for actions. Every one is an allow-list that starts with a letter or digit, so no value can be
 * read as an option (`-rf`), and none admits a shell metacharacter, whitespace, a path separator where none belongs,
 * or `..`. Executors still pass arguments as data; these patterns make a mistake there harmless too.
 */

/** A systemd unit or service name: `nginx`, `api@2.service`, `node_exporter`. */
export const unitName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9@._-]{0,99}$/, '服务名只能包含字母、数字、@ . _ -，且以字母或数字开头')
  .refine((value) => !value.includes('..'), '服务名不能包含 ..');

/** A host as named in the inventory (the inventory, not the caller, says where it is). */
export const hostName = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    '主机名只能包含小写字母、数字、点和连字符',
  )
  .max(253);

/** A Kubernetes namespace or container name: an RFC 1123 label. */
export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, '名称须为小写字母、数字和连字符（RFC 1123），最长 63 个字符');

/** A Kubernetes object name such as a Deployment: an RFC 1123 subdomain. */
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    '名称须为小写字母、数字、连字符和点（RFC 1123）',
  );

/** The parts of an image reference, after the grammar of docker/distribution's reference package. */
const registry = String.raw`(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?\/)?`;
const pathComponent = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const tag = String.raw`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?`;
const digest = String.raw`(?:@sha256:[a-f0-9]{64})?`;
const imagePattern = new RegExp(`^${registry}${pathComponent}(?:\\/${pathComponent})*${tag}${digest}$`);

/**
 * A container image reference with an explicit tag or digest (`latest` by omission is refused: a rollout must say
 * what it rolls out): `[registry[:port]/]path[:tag][@sha256:digest]`.
 */
export const imageReference = z
  .string()
  .max(512)
  .regex(imagePattern, '镜像格式如 registry.example.com/team/app:1.4.2')
  .refine(
    (value) => /:[A-Za-z0-9_][A-Za-z0-9_.-]*$|@sha256:/.test(value.replace(/^[^/]*:[0-9]+\//, '')),
    '镜像必须带标签或摘要，如 app:1.4.2',
  );

/** A duration for a look-back window, `15m`, `2h`: minutes to a day. */
export const lookBack = z
  .string()
  .regex(/^[1-9][0-9]{0,3}[mh]$/, '时长格式如 15m、2h')
  .refine(
    (value) => (value.endsWith('h') ? Number(value.slice(0, -1)) * 60 : Number(value.slice(0, -1))) <= 24 * 60,
    '最长 24h',
  );

/** The name of an HTTP check in the inventory (the URL itself never comes from chat). */
export const checkName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, '检查名只能包含小写字母、数字、_ 和 -');

export const lookBackMs = (value: string) => Number(value.slice(0, -1)) * (value.endsWith('h') ? 3600_000 : 60_000);
