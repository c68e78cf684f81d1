import type { Intake, PlatformName } from '../domain/intake-rules';

/** A participant's users as Client Connect has them. */
export interface ClientConnectParticipant {
  code: string;
  users: {
    email: string;
    role: 'admin' | 'operator';
    functions: string[];
    sftpKeyRegistered: boolean;
    ipRegistered: boolean;
  }[];
}

/**
 * The port through which the cutover acts on both platforms. Production plugs in HKEX's admin APIs; this
 * project ships an HTTP implementation for its reference simulator (platform/http-gateway.ts).
 * Every operation is idempotent: calling it twice leaves the same state and gives the same answer.
 */
export interface FolderState {
  platform: PlatformName;
  code: string;
  exists: boolean;
  intake: Intake;
  visible: boolean;
  pending: number;
}

export interface PlatformGateway {
  folderState(platform: PlatformName, code: string): Promise<FolderState>;
  /** Stop accepting submissions (open → frozen). */
  freeze(platform: PlatformName, code: string): Promise<FolderState>;
  /** Open and show the folder. */
  enable(platform: PlatformName, code: string): Promise<FolderState>;
  /** Close and hide the folder. */
  disable(platform: PlatformName, code: string): Promise<FolderState>;
  /** Would a submission be accepted right now? */
  probe(platform: PlatformName, code: string): Promise<{ accepts: boolean }>;
  /** Move every pending submission to the other platform, checksums verified. */
  handOver(from: PlatformName, code: string): Promise<{ handedOver: number; verified: number }>;
  /** Undo handOver: files handed over from `to` and still as they were go back. */
  handBack(to: PlatformName, code: string): Promise<{ returned: number }>;
  /** A retired folder closed and hidden on legacy for good (it never opens again). */
  retireLegacy(code: string): Promise<FolderState>;
  /**
   * Client Connect — the platform's record of each participant's users, roles, functions and SFTP set-up, the
   * source of truth for readiness (FAQ B.4–B.7) — read a page of participants at a time.
   */
  clientConnect(): AsyncIterable<ClientConnectParticipant>;
  /** One participant's users as Client Connect has them (none: an empty list). */
  clientConnectParticipant(code: string): Promise<ClientConnectParticipant>;
  /** Loads participants' users into Client Connect: the embedded stack's simulator only (a real one is HKEX's). */
  loadClientConnect(participants: ClientConnectParticipant[]): Promise<void>;
  /** When legacy last accepted a submission (ISO instant), or null. */
  lastLegacyAcceptance(): Promise<string | null>;
  /** Legacy switched off: intake off everywhere, every folder hidden, read-only. Idempotent. */
  decommissionLegacy(): Promise<{ readOnly: boolean; openFolders: number }>;
}

/** The platform refused the call for good (4xx): retrying will not help. */
export class PlatformRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformRefusal';
  }
}
