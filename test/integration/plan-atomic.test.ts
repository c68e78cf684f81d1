import { Client, Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { planBatch, type PlanInput } from '../../app/batches';
import type { AppDeps } from '../../app/context';
import { batchWorkflowId } from '../../domain/workflow-ids';
import { alice } from '../support/batches';
import { cutoverStack } from '../support/stack';

/**
 * Planning is all or nothing across PostgreSQL and Temporal: a failure injected at each point leaves no
 * workflow without its batch row and no row without its workflow.
 */
const stack = await cutoverStack();
const { db, app, address } = stack;
await stack.runWorker();

const plan = (deps: AppDeps, id: string, folders: string[]): Promise<unknown> =>
  planBatch(deps, alice, {
    id,
    name: id,
    at: DateTime.utc().plus({ days: 10 }).toISO()!,
    folders,
    allowNonBusinessDay: true,
  } satisfies PlanInput);
const rows = async (id: string) => ({
  batches: await db('batches').where({ id }).count({ n: '*' }).first(),
  folders: await db('batch_folders').where({ batch_id: id }).count({ n: '*' }).first(),
  events: await db('events').where({ entity_type: 'batch', entity_id: id }).count({ n: '*' }).first(),
});
const runs = async (id: string) => {
  const found = [];
  for await (const w of app.temporal.workflow.list({ query: `WorkflowId = '${batchWorkflowId(id)}'` }))
    found.push(w.status.name);
  return found;
};
/** A client whose start calls pass through `before` and `after` (a transport that loses answers or races). */
async function interceptedApp(hooks: {
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}): Promise<AppDeps> {
  const connection = await Connection.connect({ address });
  const temporal = new Client({
    connection,
    interceptors: {
      workflow: [
        {
          async startWithDetails(input, next) {
            await hooks.before?.();
            const out = await next(input);
            await hooks.after?.();
            return out;
          },
        },
      ],
    },
  });
  return { ...app, temporal };
}

describe('plan: all or nothing across PostgreSQL and Temporal', () => {
  it('the start succeeds but its answer is lost: the retry finds its own workflow, and the plan is recorded once', async () => {
    let lost = 1;
    const deps = await interceptedApp({
      after: async () => {
        if (lost-- > 0) throw Object.assign(new Error('deadline exceeded'), { code: 4 });
      },
    });
    await plan(deps, 'A1', ['SD1']);
    expect(await rows('A1')).toEqual({ batches: { n: 1 }, folders: { n: 1 }, events: { n: 1 } });
    expect(await runs('A1')).toEqual(['RUNNING']);
  });

  it('Temporal cannot be reached: nothing is recorded', async () => {
    const temporal = new Client({
      connection: await Connection.connect({ address: '127.0.0.1:1', connectTimeout: '1s' }).catch(() =>
        Connection.lazy({ address: '127.0.0.1:1' }),
      ),
    });
    await expect(
      plan({ ...app, temporal, config: { ...app.config, commandTimeoutMs: 3000 } }, 'A2', ['SD2']),
    ).rejects.toThrow();
    expect(await rows('A2')).toEqual({ batches: { n: 0 }, folders: { n: 0 }, events: { n: 0 } });
  });

  it('the database refuses the plan after the start (another plan took the folder): the workflow ends refused, recording nothing', async () => {
    const deps = await interceptedApp({
      // A concurrent plan takes SD3 between the checks and the record.
      before: async () => {
        await db('batches').insert({
          id: 'RACE',
          name: 'race',
          planned_at: DateTime.utc().plus({ days: 9 }).toJSDate(),
          requested_by: 'bob',
          workflow_id: 'batch-RACE',
        });
        await db('batch_folders').insert({ batch_id: 'RACE', folder_code: 'SD3' });
      },
    });
    await expect(plan(deps, 'A3', ['SD3', 'SMMRPT'])).rejects.toThrow(
      /folder SD3 is already in unfinished batch RACE/,
    );
    expect(await rows('A3')).toEqual({ batches: { n: 0 }, folders: { n: 0 }, events: { n: 0 } });
    expect(await runs('A3')).toEqual(['COMPLETED']);
    // The id is spent in Temporal: planning it again is refused there too, and still records nothing.
    await expect(plan(app, 'A3', ['SMMRPT'])).rejects.toThrow(/batch A3 already exists/);
    expect(await rows('A3')).toEqual({ batches: { n: 0 }, folders: { n: 0 }, events: { n: 0 } });
  });

  it('the database fails while the workflow records the plan: no "yes"; the workflow records it once the database recovers', async () => {
    await db.raw(
      `create function refuse_a4() returns trigger language plpgsql as $$ begin if new.id = 'A4' then raise exception 'disk full'; end if; return new; end $$`,
    );
    await db.raw(
      `create trigger refuse_a4 before insert on batches for each row execute function refuse_a4()`,
    );
    try {
      await expect(
        plan({ ...app, config: { ...app.config, commandTimeoutMs: 3000 } }, 'A4', ['SPLPRPT']),
      ).rejects.toThrow(/batch A4 was handed to Temporal but is not recorded yet/);
      expect(await rows('A4')).toEqual({ batches: { n: 0 }, folders: { n: 0 }, events: { n: 0 } });
      expect(await runs('A4')).toEqual(['RUNNING']);
    } finally {
      await db.raw('drop trigger refuse_a4 on batches');
      await db.raw('drop function refuse_a4()');
    }
    await expect
      .poll(async () => (await db('batches').where({ id: 'A4' }).first())?.status, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe('awaiting_approval');
    expect(await rows('A4')).toEqual({ batches: { n: 1 }, folders: { n: 1 }, events: { n: 1 } });
  });
});
