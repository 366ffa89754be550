import * as z from 'zod';
import { feishuOpenId } from '../feishu/ids.js';
import { readConfigFile } from '../lambda/config-file.js';
import { durationSeconds } from '../lambda/duration.js';
import { actionNames } from './actions.js';
import { checkName, dnsLabel, hostName, unitName } from './arguments.js';
import { InventoryError } from './executor.js';
import { parseMatcher } from '../alerts/matchers.js';

const duration = durationSeconds;
const openId = feishuOpenId;
const matcher = z.string().transform((value, ctx) => {
  try {
    parseMatcher(value);
    return value;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
const environmentName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'an environment name such as prod');

/**
 * Where actions may reach: hosts (with their SSH host key), Kubernetes clusters and HTTP checks, each in an
 * environment.
 */
export const inventoryFile = z.strictObject({
  hosts: z
    .record(
      hostName,
      z.strictObject({
        address: z.string().min(1),
        port: z.number().int().min(1).max(65535).default(22),
        user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix user name'),
        environment: environmentName,
        /** `ssh-keygen -lf <host key>.pub` prints it: the connection is refused if the host presents another key. */
        hostKey: z
          .string()
          .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'a host key fingerprint such as SHA256:abc… (ssh-keygen -lf)'),
        /** Units that may be restarted there; unset means any. */
        units: z.array(unitName).optional(),
        /** Run systemctl through `sudo -n` (the user needs a sudoers rule for exactly those commands). */
        sudo: z.boolean().default(false),
      }),
    )
    .default({}),
  clusters: z
    .record(
      dnsLabel,
      z.strictObject({
        environment: environmentName,
        /** The secret key holding this cluster's kubeconfig. */
        kubeconfigSecret: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a secret key such as KUBECONFIG_PROD'),
        namespaces: z.array(dnsLabel).optional(),
      }),
    )
    .default({}),
  /** Services that run on Kubernetes, so /deploy and /restart can name a service instead of four coordinates. */
  deployments: z
    .record(
      unitName,
      z.strictObject({ cluster: dnsLabel, namespace: dnsLabel, deployment: dnsLabel, container: dnsLabel }),
    )
    .default({}),
  /** Where check_logs reads: an OpenSearch index pattern, and the environment its permission is judged in. */
  logs: z
    .strictObject({
      environment: environmentName,
      index: z
        .string()
        .regex(/^[a-z0-9*][a-z0-9*._-]*$/)
        .default('logs-*'),
    })
    .default({ environment: 'prod', index: 'logs-*' }),
  checks: z
    .record(
      checkName,
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }),
        environment: environmentName,
        expectStatus: z.number().int().min(100).max(599).default(200),
        timeout: duration.default(5),
      }),
    )
    .default({}),
});
export type Inventory = z.infer<typeof inventoryFile>;

const inventoryKinds = { host: '主机', cluster: '集群', check: '健康检查' } as const;

/** An entry the inventory does not list: 主机 db-09 不在清单中. */
export const notInInventory = (kind: keyof typeof inventoryKinds, name: unknown) =>
  new InventoryError(
    `${inventoryKinds[kind]} ${String(name)} 不在清单中`,
    `${kind} ${String(name)} is not in the inventory`,
  );

/** The inventory's cluster a Kubernetes action targets, when it lists the cluster and allows the namespace. */
export function clusterFor(args: Record<string, unknown>, inventory: Inventory): Inventory['clusters'][string] {
  const [name, namespace] = [String(args.cluster), String(args.namespace)];
  const cluster = inventory.clusters[name];
  if (!cluster) throw notInInventory('cluster', name);
  if (cluster.namespaces && !cluster.namespaces.includes(namespace))
    throw new InventoryError(
      `清单不允许操作集群 ${name} 的命名空间 ${namespace}`,
      `the inventory does not allow namespace ${namespace} of cluster ${name}`,
    );
  return cluster;
}

/** The environment an action runs in, from the inventory entry it targets (never from the request itself). */
export function environmentOf(action: string, args: Record<string, unknown>, inventory: Inventory): string {
  switch (action) {
    case 'restart_service':
    case 'diagnose_host': {
      const host = inventory.hosts[args.host as string];
      if (!host) throw notInInventory('host', args.host);
      return host.environment;
    }
    case 'k8s_rollout_restart':
    case 'k8s_set_image':
      return clusterFor(args, inventory).environment;
    case 'http_check': {
      const check = inventory.checks[args.check as string];
      if (!check) throw notInInventory('check', args.check);
      return check.environment;
    }
    case 'check_logs':
      return inventory.logs.environment;
    default:
      throw new InventoryError(`没有名为 ${action} 的操作`, `there is no action named ${action}`);
  }
}

const actionOrAll = z.union([z.literal('*'), z.enum(actionNames as [string, ...string[]])]);

/** Who may do what where, and which requests wait for a second person. */
export const automationFile = z.strictObject({
  environments: z.array(environmentName).min(1),
  roles: z.record(
    z.string().regex(/^[a-z][a-z0-9_-]*$/),
    z.strictObject({
      actions: z.array(actionOrAll).min(1),
      environments: z.array(z.union([z.literal('*'), environmentName])).min(1),
    }),
  ),
  users: z.record(openId, z.array(z.string()).min(1)).default({}),
  groups: z
    .record(z.string(), z.strictObject({ members: z.array(openId).min(1), roles: z.array(z.string()).min(1) }))
    .default({}),
  /**
   * Self-healing: alert matchers → an action with arguments templated from the alert (`{{labels.instance}}`,
   * `{{service}}`, `{{host}}`), inside guardrails. Rules are reviewed config, so their runs do not wait for approval;
   * they are authorised by their own roles and audited with the rule as the actor.
   */
  selfHealing: z
    .strictObject({
      /** Everything only says what it would do. */
      dryRun: z.boolean().default(false),
      maxRunsPerHour: z.number().int().min(1).default(10),
      rules: z
        .array(
          z.strictObject({
            name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a rule name such as restart-nginx'),
            match: z.array(matcher).min(1),
            action: z.enum(actionNames as [string, ...string[]]),
            args: z.record(z.string(), z.union([z.string(), z.number()])),
            roles: z.array(z.string()).min(1),
            cooldown: duration.default(1800),
            maxRunsPerHour: z.number().int().min(1).default(3),
            dryRun: z.boolean().default(false),
            /**
             * After a successful run: the alert must resolve, or the named inventory check must pass, within `within`.
             */
            verify: z
              .strictObject({ within: duration.default(300), check: z.string().optional() })
              .default({ within: 300 }),
          }),
        )
        .default([]),
    })
    .default({ dryRun: false, maxRunsPerHour: 10, rules: [] }),
  /**
   * Who may act on incidents and on-call, from cards and chat: `team` (the members of the on-call team concerned: the
   * incident's route team, the team overridden) or roles above. Silences longer or broader than `broadSilence` need
   * one of its roles. What is left out is `defaultIncidentRules`, less the roles the file does not define.
   */
  incidents: z
    .strictObject({
      ack: z.array(z.string()).optional(),
      resolve: z.array(z.string()).optional(),
      silence: z.array(z.string()).optional(),
      escalate: z.array(z.string()).optional(),
      override: z.array(z.string()).optional(),
      broadSilence: z
        .strictObject({
          longerThan: duration.default(86_400),
          matchingMoreThan: z.number().int().min(0).default(20),
          roles: z.array(z.string()).min(1).optional(),
        })
        .optional(),
    })
    .default({}),
  approval: z
    .strictObject({
      /** Environments where any state-changing action waits for approval. */
      environments: z.array(environmentName).default(['prod']),
      approvers: z.array(openId).default([]),
      expiresIn: duration.default(900),
    })
    .default({ environments: ['prod'], approvers: [], expiresIn: 900 }),
});
export type AutomationConfig = z.infer<typeof automationFile>;
export type HealRule = AutomationConfig['selfHealing']['rules'][number];

const defaultIncidentRules = {
  ack: ['team', 'responder', 'admin'],
  resolve: ['team', 'responder', 'admin'],
  silence: ['team', 'responder', 'admin'],
  escalate: ['team', 'responder', 'observer', 'admin'],
  override: ['team', 'admin'],
};
type IncidentRuleName = keyof typeof defaultIncidentRules;

/** Who may act on incidents and on-call, as automation.yaml says or by default. */
export function incidentRules(automation: AutomationConfig) {
  const given = automation.incidents;
  const defined = (roles: string[]) => roles.filter((role) => role === 'team' || automation.roles[role]);
  const names = Object.keys(defaultIncidentRules) as IncidentRuleName[];
  return {
    allowed: Object.fromEntries(
      names.map((name) => [name, given[name] ?? defined(defaultIncidentRules[name])]),
    ) as Record<IncidentRuleName, string[]>,
    broadSilence: {
      longerThanSeconds: given.broadSilence?.longerThan ?? 86_400,
      matchingMoreThan: given.broadSilence?.matchingMoreThan ?? 20,
      roles: given.broadSilence?.roles ?? defined(['admin']),
    },
  };
}

/** Loads both files and checks they agree with each other. */
export function loadAutomationConfig(dir: string): { inventory: Inventory; automation: AutomationConfig } {
  const inventory = readConfigFile(dir, 'inventory.yaml', inventoryFile);
  const automation = readConfigFile(dir, 'automation.yaml', automationFile);
  const problems: string[] = [];
  const known = new Set(automation.environments);
  const where = (file: string, path: string, message: string) =>
    problems.push(`config ${dir}/${file} is invalid:\n  ${path}: ${message}`);
  if (!known.has(inventory.logs.environment))
    where(
      'inventory.yaml',
      'logs.environment',
      `"${inventory.logs.environment}" is not one of automation.yaml's environments`,
    );
  for (const [kind, entries] of [
    ['hosts', inventory.hosts],
    ['clusters', inventory.clusters],
    ['checks', inventory.checks],
  ] as const) {
    for (const [name, entry] of Object.entries(entries))
      if (!known.has(entry.environment))
        where(
          'inventory.yaml',
          `${kind}.${name}.environment`,
          `"${entry.environment}" is not one of automation.yaml's environments`,
        );
  }
  const roles = new Set(Object.keys(automation.roles));
  for (const [user, granted] of Object.entries(automation.users))
    granted.forEach(
      (role, i) => roles.has(role) || where('automation.yaml', `users.${user}.${i}`, `role "${role}" is not defined`),
    );
  for (const [group, entry] of Object.entries(automation.groups))
    entry.roles.forEach(
      (role, i) =>
        roles.has(role) || where('automation.yaml', `groups.${group}.roles.${i}`, `role "${role}" is not defined`),
    );
  const { broadSilence, ...lists } = automation.incidents;
  for (const [list, entries = []] of [...Object.entries(lists), ['broadSilence.roles', broadSilence?.roles] as const])
    entries.forEach(
      (role, i) =>
        role === 'team' ||
        roles.has(role) ||
        where('automation.yaml', `incidents.${list}.${i}`, `role "${role}" is not defined (or use team)`),
    );
  automation.selfHealing.rules.forEach((rule, i) => {
    rule.roles.forEach(
      (role, j) =>
        roles.has(role) ||
        where('automation.yaml', `selfHealing.rules.${i}.roles.${j}`, `role "${role}" is not defined`),
    );
    if (rule.verify.check && !inventory.checks[rule.verify.check])
      where(
        'automation.yaml',
        `selfHealing.rules.${i}.verify.check`,
        `check "${rule.verify.check}" is not in inventory.yaml`,
      );
  });
  for (const [service, deployment] of Object.entries(inventory.deployments)) {
    if (!inventory.clusters[deployment.cluster])
      where(
        'inventory.yaml',
        `deployments.${service}.cluster`,
        `cluster "${deployment.cluster}" is not defined under clusters`,
      );
  }
  if (problems.length) throw new Error(problems.join('\n'));
  return { inventory, automation };
}
