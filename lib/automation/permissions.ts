import type { ActionDefinition } from './actions.js';
import type { AutomationConfig } from './config.js';

export type Decision = { allowed: true; roles: string[]; needsApproval: boolean } | { allowed: false; reason: string };

/** The roles a person holds: their own and their groups'. */
export function rolesOf(openId: string, config: AutomationConfig): string[] {
  const roles = new Set(config.users[openId] ?? []);
  for (const group of Object.values(config.groups))
    if (group.members.includes(openId)) group.roles.forEach((role) => roles.add(role));
  return [...roles];
}

/** The open_ids that hold `role`: its users and its groups' members. */
export function holdersOf(role: string, config: AutomationConfig): string[] {
  const people = new Set(Object.keys(config.users).filter((openId) => config.users[openId]!.includes(role)));
  for (const group of Object.values(config.groups))
    if (group.roles.includes(role)) group.members.forEach((openId) => people.add(openId));
  return [...people];
}

/**
 * Whether `openId` may run `action` in `environment`, and whether a second person must approve it. Denials say why
 * in words the requester can act on (which role would allow it).
 */
export function authorise(
  openId: string,
  action: ActionDefinition,
  environment: string,
  config: AutomationConfig,
): Decision {
  return authoriseRoles(rolesOf(openId, config), action, environment, config);
}

/** The same rule for a holder of `held` roles: a person's, or a self-healing rule's own. */
export function authoriseRoles(
  held: string[],
  action: ActionDefinition,
  environment: string,
  config: AutomationConfig,
): Decision {
  if (!config.environments.includes(environment))
    return { allowed: false, reason: `环境 ${environment} 未在配置中定义` };
  if (action.environments !== 'any' && !action.environments.includes(environment))
    return { allowed: false, reason: `${action.name} 不能在 ${environment} 环境执行` };
  const granting = held.filter((role) => {
    const grant = config.roles[role];
    return (
      grant &&
      (grant.actions.includes('*') || grant.actions.includes(action.name)) &&
      (grant.environments.includes('*') || grant.environments.includes(environment))
    );
  });
  if (!granting.length) {
    const would = Object.entries(config.roles)
      .filter(
        ([, grant]) =>
          (grant.actions.includes('*') || grant.actions.includes(action.name)) &&
          (grant.environments.includes('*') || grant.environments.includes(environment)),
      )
      .map(([role]) => role);
    return {
      allowed: false,
      reason:
        `没有在 ${environment} 执行 ${action.name} 的权限（你的角色：${held.join('、') || '无'}` +
        `${would.length ? `；需要角色：${would.join(' 或 ')}` : ''}）`,
    };
  }
  return {
    allowed: true,
    roles: granting,
    needsApproval: action.changesState && config.approval.environments.includes(environment),
  };
}
