import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { createDb } from '../../db/connection';
import { seedCatalog } from '../../db/seed';
import { up } from '../../dev/stack';
import { createFolderStore } from '../../stores/folder-store';
import { endpoints } from './dev';
import { importGeneratedDirectory } from '../../stores/directory-store';
import { renderBatch } from './batch';
import { DateTime } from 'luxon';
import { approveBatch, planBatch } from '../../app/batches';
import type { AppDeps } from '../../app/context';
import { isFinalBatch } from '../../domain/batch-lifecycle';
import { readBatch } from '../../stores/batch-read';
import { operatorNamed, withApp } from '../context';

/** `ecp-cutover demo`: the README's main job on the embedded stack. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the embedded stack, seed it, run batch B1 end to end and show where everything is')
    .action(async () => {
      const config = loadConfig();
      console.log('starting the embedded stack (first run initialises PostgreSQL and Temporal)...');
      await up(config, (line) => console.log('  ' + line));
      const db = createDb(config.DATABASE_URL, { max: 4 });
      try {
        const seeded = await seedCatalog(db);
        console.log(`\nseeded the catalog: ${seeded.folders} folders; operators alice (planner), bob (approver), carol (support)`);
        if (!(await db('participants').first('code'))) {
          const stats = await importGeneratedDirectory(db, 500);
          console.log(`imported a generated directory: ${stats.participants} firms, ${stats.users} users (${stats.notReadyFirms} firms missing a function)`);
        }
        await withApp(runBatchB1);
        const folders = await createFolderStore(db).list();
        const by = (p: string) => folders.filter((f) => f.placement === p).map((f) => f.code);
        console.log(`\nwhere the folders live now:`);
        console.log(`  on ECP 2.0 (${by('live').length + by('new_on_2_0').length}): ${[...by('live'), ...by('new_on_2_0')].join(' ')}`);
        console.log(`  on legacy ECP (${by('legacy').length + by('scheduled').length}): ${[...by('legacy'), ...by('scheduled')].join(' ')}`);
        console.log(`  retired (${by('retired').length}): ${by('retired').join(' ')}`);
        const e = endpoints(config);
        console.log(`\nwhere to look:\n  portal           ${e.portal.url}/api/folders\n  Temporal Web UI  ${e.temporal.ui}\n  mail received    ${e.smtp.messages.replace('/api/messages', '/')}  (support view: npx ecp-cutover participant 00199)\n  stop it all      npx ecp-cutover dev down`);
      } finally {
        await db.destroy();
      }
    });
}

/**
 * Plans batch B1 (the catalog's 2022-06-06 folders) one minute ahead — the notice period and the calendar
 * are overridden for the demo — approves it as a second operator and watches it to the end. A second demo
 * run finds B1 done and shows it.
 */
async function runBatchB1(deps: AppDeps): Promise<void> {
  const { db } = deps;
  if (!(await readBatch(db, 'B1'))) {
    const folders = await db('folders').where({ proposed_batch: 'B1', placement: 'legacy' }).orderBy('code').pluck('code');
    const at = DateTime.utc().plus({ minutes: 1 }).startOf('second');
    await planBatch(deps, await operatorNamed(db, 'alice'), {
      id: 'B1', name: 'Cash: stamp duty and China Connect short selling', at: at.toISO()!, folders,
      onFailure: 'continue', concurrency: 2, minNotice: '0s', allowNonBusinessDay: true,
    });
    console.log(`\nalice planned batch B1 (${folders.join(', ')}) for one minute from now`);
    await approveBatch(deps, await operatorNamed(db, 'bob'), 'B1');
    console.log('bob approved it (alice could not: four eyes); participants are told\n');
  }
  let last = '';
  for (;;) {
    const b = (await readBatch(db, 'B1'))!;
    const shown = renderBatch(b);
    if (shown !== last) console.log(shown + '\n');
    last = shown;
    if (isFinalBatch(b.status)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
