import type { ClientConnectParticipant, PlatformGateway } from '../../../platform/gateway';

/**
 * The platforms as the application layer's reads meet them: Client Connect (its participants, or an error when
 * it cannot be read) and legacy's last acceptance; what a directory import loads is kept in `loaded`. The
 * platform operations of a move are the workers', not the application layer's: they refuse.
 */
export function fakeGateway(
  opts: { clientConnect?: ClientConnectParticipant[] | Error; lastLegacyAcceptance?: string | null } = {},
) {
  const loaded: ClientConnectParticipant[] = [];
  const cc = () => {
    if (opts.clientConnect instanceof Error) throw opts.clientConnect;
    return opts.clientConnect ?? [];
  };
  const refuse = (what: string) => () => Promise.reject(new Error(`${what}: not the application layer's`));
  const gateway: PlatformGateway = {
    async *clientConnect() {
      yield* cc();
    },
    async clientConnectParticipant(code) {
      return cc().find((p) => p.code === code) ?? { code, users: [] };
    },
    async loadClientConnect(participants) {
      loaded.push(...participants);
    },
    lastLegacyAcceptance: async () => opts.lastLegacyAcceptance ?? null,
    folderState: refuse('folderState'),
    freeze: refuse('freeze'),
    enable: refuse('enable'),
    disable: refuse('disable'),
    probe: refuse('probe'),
    handOver: refuse('handOver'),
    handBack: refuse('handBack'),
    retireLegacy: refuse('retireLegacy'),
    decommissionLegacy: refuse('decommissionLegacy'),
  };
  return { gateway, loaded };
}
