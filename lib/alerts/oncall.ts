/** A person who can be notified: their Feishu open_id and a display name for cards and chat. */
export interface Person {
  name: string;
  openId: string;
}

export interface Rotation {
  members: Person[];
  /** When members[0]'s first shift began. */
  handoffAt: number;
  shiftMs: number;
  /** Temporary swaps: whoever covers a range wins over the rotation. */
  overrides: { person: Person; from: number; to: number }[];
}

export interface Team {
  name: string;
  rotation: Rotation;
}

/** Who is on call for a team at `now`: an override covering now, else the member whose shift now falls in. */
export function onCallAt(team: Team, now: number): Person | undefined {
  const { rotation } = team;
  const override = rotation.overrides.find((entry) => entry.from <= now && now < entry.to);
  if (override) return override.person;
  if (!rotation.members.length) return undefined;
  const shifts = Math.floor((now - rotation.handoffAt) / rotation.shiftMs);
  const n = rotation.members.length;
  return rotation.members[((shifts % n) + n) % n];
}
