import type { Config } from '../config/config';
import type { MoveOptions } from '../workflows/move-folder';

/** The folder-move options the configuration gives (workflows cannot read configuration themselves). */
export const moveOptions = (config: Config): MoveOptions => ({
  freezeWindowMaxMs: config.freezeWindowMaxMs,
  drainTimeoutMs: config.drainTimeoutMs,
  maxAttempts: config.MOVE_MAX_ATTEMPTS,
});
