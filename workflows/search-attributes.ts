import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered on the server by `dev up`, the tests and docker-compose (see dev/tools.ts). */
export const BATCH_ID = defineSearchAttributeKey('BatchId', SearchAttributeType.KEYWORD);
export const FOLDER_CODE = defineSearchAttributeKey('FolderCode', SearchAttributeType.KEYWORD);
