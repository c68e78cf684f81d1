// Every workflow type the worker serves. Workflow function names are workflow types: never rename one.
export { smokeWorkflow } from './smoke';
export { folderCutover } from './folder-cutover';
export { folderRollback } from './folder-rollback';
export { batchMigration } from './batch-migration';
export { decommissionLegacy } from './decommission-legacy';
export { reconcileWorkflow } from './reconcile';
export { folderRepair } from './folder-repair';
export { batchRehearsal, folderRehearsal } from './batch-rehearsal';
