import type { Person, Team } from './oncall.js';
import type { Actor } from './repository.js';

/**
 * A change of who is on call set from chat (`/oncall override`), for a team, from `from` until `to`. The planned
 * swaps live in config/oncall.yaml; these are the ones made at 3 a.m.
 */
export interface OncallOverride {
  id: string;
  team: string;
  person: Person;
  from: string;
  to: string;
  by: Actor;
  createdAt: string;
}

/** Where overrides are kept; the DynamoDB adapter is lib/store/overrides-table.ts. */
export interface OverrideStore {
  /** Stores an override once (the same id again is a redelivered request). */
  create(override: OncallOverride): Promise<void>;
  /** Overrides that have not ended by `now`. */
  current(now: string): Promise<OncallOverride[]>;
}

/**
 * The teams with the overrides from chat in front of config's own, newest first: whoever was set last for a moment
 * is on call then.
 */
export function withOverrides(teams: Map<string, Team>, overrides: OncallOverride[]): Map<string, Team> {
  if (!overrides.length) return teams;
  const newest = [...overrides].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return new Map(
    [...teams].map(([name, team]) => {
      const added = newest
        .filter((override) => override.team === name)
        .map((override) => ({ person: override.person, from: Date.parse(override.from), to: Date.parse(override.to) }));
      const rotation = { ...team.rotation, overrides: [...added, ...team.rotation.overrides] };
      return [name, added.length ? { ...team, rotation } : team];
    }),
  );
}
