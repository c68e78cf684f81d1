import { defineQuery, setHandler } from '@temporalio/workflow';
import { moveFolder, type MoveOptions, type MoveProgress, type MoveResult } from './move-folder';

export interface FolderCutoverInput {
  folderCode: string;
  /** The batch this cutover belongs to; null for a cutover started on its own. */
  batchId: string | null;
  actor: string;
  options: MoveOptions;
}

export const cutoverProgressQuery = defineQuery<MoveProgress>('progress');

/**
 * One folder, legacy ECP → ECP 2.0 (workflow id `cutover-<batch>-<folder>`). Ends `succeeded` (live),
 * `compensated` (back on legacy, reason recorded) or `refused` (the folder was not on legacy).
 */
export async function folderCutover(input: FolderCutoverInput): Promise<MoveResult> {
  const progress: MoveProgress = {
    folderCode: input.folderCode,
    kind: 'cutover',
    step: 'begin',
    outcome: 'running',
    failure: null,
    freezeWindowMs: null,
  };
  setHandler(cutoverProgressQuery, () => progress);
  return moveFolder(
    { folderCode: input.folderCode, kind: 'cutover', batchId: input.batchId, actor: input.actor },
    'legacy',
    'ecp2',
    input.options,
    progress,
    input.batchId ? `cutover in batch ${input.batchId}` : 'cutover',
  );
}
