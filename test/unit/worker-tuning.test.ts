import { describe, expect, it } from 'vitest';
import { workerTuning } from '../../worker/worker';

// WORKER_TUNING lets a measurement set worker options (bench/run.ts --ab): only the known ones, of the right kind.
describe('WORKER_TUNING', () => {
  it('is empty when unset', () => {
    expect(workerTuning({})).toEqual({});
  });

  it('passes the options it knows', () => {
    expect(
      workerTuning({
        WORKER_TUNING:
          '{"maxConcurrentWorkflowTaskPolls":20,"maxCachedWorkflows":50,"stickyQueueScheduleToStartTimeout":"5s"}',
      }),
    ).toEqual({
      maxConcurrentWorkflowTaskPolls: 20,
      maxCachedWorkflows: 50,
      stickyQueueScheduleToStartTimeout: '5s',
    });
  });

  it('refuses an option it does not know, or a value of the wrong kind, naming it', () => {
    expect(() => workerTuning({ WORKER_TUNING: '{"taskQueue":"other"}' })).toThrow(/WORKER_TUNING/);
    expect(() => workerTuning({ WORKER_TUNING: '{"maxCachedWorkflows":"many"}' })).toThrow(
      /maxCachedWorkflows/,
    );
  });
});
