import { createStatusActivities, type StatusDeps } from './status';

export type ActivityDeps = StatusDeps;

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createStatusActivities(deps),
  };
}
