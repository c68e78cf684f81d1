import { describe, expect, it } from 'vitest';
import { idsOf } from '../../observability/log';

describe('idsOf: the batch and folder a workflow id names, for the log fields', () => {
  it('reads every workflow id the project makes, and nothing else', () => {
    expect(idsOf('batch-B1')).toEqual({ batchId: 'B1' });
    expect(idsOf('cutover-2022-06-B1-CCSSW-SH')).toEqual({}); // ambiguous: kept whole in workflowId
    expect(idsOf('rollback-SD2')).toEqual({ folder: 'SD2' });
    expect(idsOf('repair-SD3')).toEqual({ folder: 'SD3' });
    expect(idsOf('decommission-legacy-ecp')).toEqual({});
    expect(idsOf(undefined)).toEqual({});
  });
});
