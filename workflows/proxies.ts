import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index';

type Activities = ReturnType<typeof createActivities>;

/** Status writes, role checks and gates: quick, retried with backoff; a refused role is final. */
export const operations = proxyActivities<Activities>({
  startToCloseTimeout: '60s',
  retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: ['NotAllowed'] },
});

/** Notice fan-out and delivery: long, heartbeating, and retried without end so that SMTP outages are waited out. */
export const mail = proxyActivities<Activities>({
  startToCloseTimeout: '2h',
  heartbeatTimeout: '60s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});
