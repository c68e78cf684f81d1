import type { Client } from '@temporalio/client';
import type { Config } from '../config/config';
import type { CommandSource } from '../domain/commands';
import { NotAllowedError } from '../domain/errors';
import type { Role } from '../domain/operators';
import { roleRefusal, rolesFor, type Permission } from '../domain/permissions';
import type { PlatformGateway } from '../platform/gateway';
import type { CommandSigner } from '../security/command-signing';
import type { AppStores } from '../stores/app-stores';

/**
 * The application layer: one function per use-case, called alike by the control API, the CLI, the demo and
 * the benchmarks. Each takes its dependencies and the verified operator; no business rule lives in a
 * command handler or an HTTP route. It reaches PostgreSQL only through the stores' interfaces (built by each
 * composition root: stores/app-stores.ts), and maps their rows to what crosses the API (contract/views.ts).
 */
export interface AppDeps {
  stores: AppStores;
  temporal: Client;
  config: Config;
  signer: CommandSigner;
  gateway: PlatformGateway;
}

/** An operator whose identity the control plane verified (a token or an identity provider's JWT). */
export interface Operator {
  name: string;
  roles: Role[];
  /** The credential they proved it with, for the audit trail. */
  credentialId: string;
  source: CommandSource;
}

/**
 * Refuses (403 / exit 2) an operator whose roles do not allow `command` (domain/permissions.ts). The workflow
 * checks again where the change is made.
 */
export function requirePermission(op: Operator, command: Permission): void {
  const refusal = roleRefusal(op, rolesFor(command));
  if (refusal) throw new NotAllowedError(refusal);
}
