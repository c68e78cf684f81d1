/**
 * A folder's placement: where participants submit it. The heart of the tool.
 *
 *   legacy ──plan+approve──▶ scheduled ──cutover starts──▶ cutting_over ──verified──▶ live
 *      ▲                        │                               │                     │
 *      └──── batch aborted ─────┘          failed step ─────────┘ (compensated)        │
 *      └──────────────────── switch back: live ─▶ rolling_back ─▶ legacy ◀─────────────┘
 *   retired (never moves)          new_on_2_0 (born on ECP 2.0, no legacy side)
 *
 * `rolling_back` is the switch-back's own in-flight state (the mirror of `cutting_over`): a failed
 * switch-back is compensated and leaves the folder `live`.
 */
export const PLACEMENTS = [
  'legacy',
  'scheduled',
  'cutting_over',
  'live',
  'rolling_back',
  'retired',
  'new_on_2_0',
] as const;
export type Placement = (typeof PLACEMENTS)[number];

const TRANSITIONS: Record<Placement, readonly Placement[]> = {
  legacy: ['scheduled', 'cutting_over'],
  scheduled: ['legacy', 'cutting_over'],
  cutting_over: ['live', 'legacy'],
  live: ['rolling_back'],
  rolling_back: ['legacy', 'live'],
  retired: [],
  new_on_2_0: [],
};

export function canTransition(from: Placement, to: Placement): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isPlacement(value: string): value is Placement {
  return (PLACEMENTS as readonly string[]).includes(value);
}
