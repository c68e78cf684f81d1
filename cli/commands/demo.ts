import type { Command } from 'commander';
import { loadConfig } from '../../config/config';
import { connectClient } from '../../config/temporal';
import { createDb } from '../../db/connection';
import { seedCatalog } from '../../db/seed';
import { up } from '../../dev/stack';
import { createFolderStore } from '../../stores/folder-store';
import { smokeWorkflow } from '../../workflows/smoke';
import { endpoints } from './dev';

/** `ecp-cutover demo`: the README's main job on the embedded stack. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the embedded stack, seed it, run a workflow end to end and show where everything is')
    .action(async () => {
      const config = loadConfig();
      console.log('starting the embedded stack (first run initialises PostgreSQL and Temporal)...');
      await up(config, (line) => console.log('  ' + line));
      const db = createDb(config.DATABASE_URL, { max: 4 });
      try {
        const seeded = await seedCatalog(db);
        console.log(`\nseeded the catalog: ${seeded.folders} folders; operators alice (planner), bob (approver), carol (support)`);
        const client = await connectClient(config);
        const workflowId = `smoke-${Date.now()}`;
        const { eventId } = await client.workflow.execute(smokeWorkflow, {
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowId,
          args: ['demo: the worker reached PostgreSQL'],
        });
        await client.connection.close();
        console.log(`workflow ${workflowId} ran on the worker and wrote event #${eventId}`);
        const folders = await createFolderStore(db).list();
        const by = (p: string) => folders.filter((f) => f.placement === p).map((f) => f.code);
        console.log(`\nwhere the folders live now:`);
        console.log(`  on ECP 2.0 (${by('live').length + by('new_on_2_0').length}): ${[...by('live'), ...by('new_on_2_0')].join(' ')}`);
        console.log(`  on legacy ECP (${by('legacy').length + by('scheduled').length}): ${[...by('legacy'), ...by('scheduled')].join(' ')}`);
        console.log(`  retired (${by('retired').length}): ${by('retired').join(' ')}`);
        const e = endpoints(config);
        console.log(`\nwhere to look:\n  portal           ${e.portal.url}/api/folders\n  Temporal Web UI  ${e.temporal.ui}\n  mail received    ${e.smtp.messages.replace('/api/messages', '/')}\n  stop it all      npx ecp-cutover dev down`);
      } finally {
        await db.destroy();
      }
    });
}
