import { ApplicationFailure, patched } from '@temporalio/workflow';
import { V1_UNSIGNED_UPDATES_REFUSED } from '../patches';

/**
 * The first step of every Update handler of version 1: its Updates name an operator without proof, so once
 * signed commands exist they are refused (patched: histories recorded before replay as they were). Such a
 * workflow is left to end by itself (a batch expires at its planned time) or cancelled; plan it again.
 */
export function refuseUnsigned(): void {
  if (patched(V1_UNSIGNED_UPDATES_REFUSED)) {
    throw ApplicationFailure.create({
      type: 'Forbidden',
      nonRetryable: true,
      message:
        'this workflow began before commands were signed: it takes no more Updates; cancel it, or let it end, and plan again',
    });
  }
}
