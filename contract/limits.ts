/** Sizes the control API's contract fixes (no zod here: the CLI loads this without loading the schemas). */

/** 1 MiB: every request body, but a directory import's. */
export const BODY_LIMIT = 1024 * 1024;
/** A directory import: two CSV files in one JSON body. */
export const IMPORT_LIMIT = 64 * 1024 * 1024;
/** Events a page of the audit trail (API, CLI and console). */
export const EVENTS_PAGE = 50;
