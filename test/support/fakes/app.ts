import type { Client } from '@temporalio/client';
import type { AppDeps, Operator } from '../../../app/context';
import { loadConfig } from '../../../config/config';
import type { Role } from '../../../domain/operators';
import type { PlatformGateway } from '../../../platform/gateway';
import type { CommandSigner } from '../../../security/command-signing';
import { fakeGateway } from './gateway';
import { fakeAppStores } from './stores';
import type { World } from './world';

/**
 * A dependency of the use-cases under unit test that must not be reached: the unit tests hold the rules a
 * use-case applies before it asks Temporal (or signs), so reaching one is a failure that names what was asked.
 * The use-cases that go on to Temporal are tested end to end (test/integration/batch.test.ts and others).
 */
const unreachable = <T extends object>(what: string) =>
  new Proxy(
    {},
    {
      get: (_t, prop) =>
        prop === 'then'
          ? undefined
          : () => {
              throw new Error(`${what}.${String(prop)} reached: the use-case should have decided before`);
            },
    },
  ) as T;

/** The application layer over the in-memory fake stores of `w`. */
export function fakeApp(
  w: World,
  opts: { gateway?: PlatformGateway; env?: Record<string, string> } = {},
): AppDeps {
  const gateway = opts.gateway ?? fakeGateway().gateway;
  return {
    stores: fakeAppStores(w, gateway),
    temporal: unreachable<Client>('Temporal'),
    signer: unreachable<CommandSigner>('the command signer'),
    config: loadConfig({ MIN_NOTICE: '3d', ...opts.env }),
    gateway,
  };
}

/** A verified operator, as the control API hands one to a use-case. */
export const operator = (name: string, ...roles: Role[]): Operator => ({
  name,
  roles,
  credentialId: `test-${name}`,
  source: 'api',
});
export const alice = operator('alice', 'planner');
export const bob = operator('bob', 'approver');
export const carol = operator('carol', 'support');
