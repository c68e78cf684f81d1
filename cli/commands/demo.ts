import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../../config/config';
import { isFinalBatch } from '../../domain/batch-lifecycle';
import { generateDirectory } from '../../domain/directory-generator';
import { apiClient, type ApiClient } from '../api-client';
import { renderBatch, renderRehearsal } from './batch';
import { simulatorAdmin } from './simulator';
import { endpoints } from './dev';
import type { Profile } from '../../dev/profile';

/**
 * `ecp-cutover demo`: the README's main job on the embedded stack. The host-local part (the stack, the
 * catalog, the demo operators and their tokens) is done here — a composition root: it opens the database
 * itself; everything else goes through the control API, signed in as the demo operators, exactly as an
 * operator's CLI or console would.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start the embedded stack, seed it, run batch B1 end to end and show where everything is')
    .action(async () => {
      const config = loadConfig();
      const [
        { up },
        { withDatabase },
        { seedCatalog, seedDemoOperators },
        { catalogAudience },
        { createParticipantStore },
      ] = await Promise.all([
        import('../../dev/stack'),
        import('../../db/connection'),
        import('../../db/seed'),
        import('../../stores/directory-store'),
        import('../../stores/participant-store'),
      ]);
      console.log('starting the embedded stack (first run initialises PostgreSQL and Temporal)...');
      const profile = await up(config, (line) => console.log('  ' + line));
      const { operators, directory } = await withDatabase(config.DATABASE_URL, async (pool) => {
        const seeded = await seedCatalog(pool);
        const made = await seedDemoOperators(pool, config.home);
        console.log(
          `\nseeded the catalog (${seeded.folders} folders) and the demo operators: ${made.map((o) => `${o.name} (${o.roles.join(', ')})`).join(', ')}`,
        );
        if ((await createParticipantStore(pool).count()) > 0) return { operators: made, directory: null };
        const audience = await catalogAudience(pool);
        const d = generateDirectory(500, 1, audience.functionsByUserType, audience.sftpFolderByUserType);
        return { operators: made, directory: { participants: d.participantsCsv, users: d.usersCsv } };
      });
      const as = (name: string) =>
        apiClient(
          {},
          {
            apiUrl: config.ECP_CUTOVER_API_URL,
            token: fs.readFileSync(operators.find((o) => o.name === name)!.tokenFile, 'utf8').trim(),
          },
        );
      if (directory) {
        const r = await as('alice').call('POST /api/directory/import', { body: directory });
        console.log(
          `alice imported a generated directory through the control API: ${r.participants} firms, ${r.users} users`,
        );
      }
      await runBatchB1(as('alice'), as('bob'));
      const folders = await as('carol').call('GET /api/folders');
      const by = (p: string) => folders.filter((f) => f.placement === p).map((f) => f.code);
      console.log(`\nwhere the folders live now:`);
      console.log(
        `  on ECP 2.0 (${by('live').length + by('new_on_2_0').length}): ${[...by('live'), ...by('new_on_2_0')].join(' ')}`,
      );
      console.log(
        `  on legacy ECP (${by('legacy').length + by('scheduled').length}): ${[...by('legacy'), ...by('scheduled')].join(' ')}`,
      );
      console.log(`  retired (${by('retired').length}): ${by('retired').join(' ')}`);
      printWhereToLook(config, profile, operators);
      const samples = await placeSampleDownloads(config);
      const user = await demoParticipant(config, samples);
      if (user)
        console.log(
          participantHowTo(
            config,
            user,
            (
              await simulatorAdmin<{ password: string }>(
                'GET',
                `/ecp2/admin/credentials/${encodeURIComponent(user.email)}`,
              )
            ).password,
          ),
        );
    });
}

/**
 * Plans batch B1 (the catalog's 2022-06-06 folders) one minute ahead as alice — the notice period and the
 * calendar are overridden for the demo — approves it as bob, and watches it to the end. A second demo run
 * finds B1 done and shows it.
 */
async function runBatchB1(alice: ApiClient, bob: ApiClient): Promise<void> {
  const exists = (await alice.call('GET /api/batches')).some((b) => b.id === 'B1');
  if (!exists) {
    const folders = (await alice.call('GET /api/folders', { query: { status: 'legacy' } }))
      .filter((f) => ['SD1', 'SD2', 'CCSSW-SH', 'CCSSW-SZ'].includes(f.code))
      .map((f) => f.code);
    const at = DateTime.utc().plus({ minutes: 1 }).startOf('second');
    await alice.call('POST /api/batches', {
      body: {
        id: 'B1',
        name: 'Cash: stamp duty and China Connect short selling',
        at: at.toISO()!,
        folders,
        concurrency: 2,
        minNotice: '0s',
        allowNonBusinessDay: true,
      },
    });
    console.log(`\nalice planned batch B1 (${folders.join(', ')}) for one minute from now`);
    await rehearseB1(alice);
    await bob.call('POST /api/batches/{id}/approve', { params: { id: 'B1' } });
    console.log('bob approved it (alice could not: four eyes); participants are told\n');
  }
  let last = '';
  for (;;) {
    const b = await alice.call('GET /api/batches/{id}', { params: { id: 'B1' } });
    const shown = renderBatch(b);
    if (shown !== last) console.log(shown + '\n');
    last = shown;
    if (isFinalBatch(b.status)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const config = loadConfig();
  console.log(
    `the report of batch B1: ${config.ECP_CUTOVER_API_URL}/console/batches/B1/report, or: npx ecp-cutover batch report B1 --out b1-report.html`,
  );
}

/**
 * Before bob approves: alice rehearses B1 (issue 28) — its moves now, against the simulator's rehearsal
 * environment, the live platforms untouched — and the demo prints where the rehearsal and its report are.
 * A rehearsal that cannot run (a stack started before it had a rehearsal environment) is said, not fatal.
 */
async function rehearseB1(alice: ApiClient): Promise<void> {
  const config = loadConfig();
  try {
    let r = await alice.call('POST /api/batches/{id}/rehearse', { params: { id: 'B1' }, body: {} });
    console.log(
      `alice rehearses B1 first, against the rehearsal environment (${r.environment}): the live platforms and the firms are not touched`,
    );
    for (let i = 0; i < 40 && r.status === 'running'; i++) {
      await new Promise((done) => setTimeout(done, 1000));
      r = await alice.call('GET /api/rehearsals/{id}', { params: { id: r.id } });
    }
    console.log(renderRehearsal(r));
    console.log(
      `the rehearsal: npx ecp-cutover batch rehearsals B1; its report: ${config.ECP_CUTOVER_API_URL}/console/rehearsals/${r.id}/report\n`,
    );
  } catch (err) {
    console.log(
      `the rehearsal of B1 could not run (${err instanceof Error ? err.message : String(err)}): restart the stack ('npx ecp-cutover dev down && npm run demo') for its rehearsal environment\n`,
    );
  }
}

/**
 * HKEX's side of downloads on the demo's ECP 2.0: one sample file, for everyone, in each download folder there
 * (again on a second run: the same file, replaced). Returns each folder with its file and function.
 */
async function placeSampleDownloads(
  config: Config,
): Promise<{ code: string; file: string; fn: string | null }[]> {
  const { createDb } = await import('../../db/connection');
  const db = createDb(config.DATABASE_URL, { max: 1 });
  const folders = await db('folders')
    .whereIn('placement', ['live', 'new_on_2_0'])
    .whereIn('direction', ['download', 'both'])
    .orderBy('code')
    .select('code', 'cc_function')
    .finally(() => db.destroy());
  const day = DateTime.now().setZone('Asia/Hong_Kong').toFormat('yyyyLLdd');
  const placed = [];
  for (const f of folders) {
    const file = `${f.code}_SAMPLE_${day}.csv`;
    await simulatorAdmin('PUT', `/ecp2/admin/folders/${encodeURIComponent(f.code)}/files/${file}`, {
      contentBase64: Buffer.from(`folder,placed\n${f.code},${day}\n`).toString('base64'),
    });
    placed.push({ code: f.code as string, file, fn: f.cc_function as string | null });
  }
  return placed;
}

export interface DemoUser {
  email: string;
  participant: string;
  sftp: boolean;
  /** A sample download the user may fetch, if their functions show one. */
  download: { code: string; file: string } | null;
}

/**
 * A user of a demo firm to log in as: an operator of a firm that submits stamp duty (SD1, moved in B1), holding its
 * function, and EU_ECPSFTP when one does (for SFTP too). From the imported directory, which loaded Client Connect.
 */
async function demoParticipant(
  config: Config,
  samples: { code: string; file: string; fn: string | null }[],
): Promise<DemoUser | null> {
  const { createDb } = await import('../../db/connection');
  const db = createDb(config.DATABASE_URL, { max: 1 });
  try {
    const row = await db('users')
      .where({ role: 'operator' })
      .whereRaw("'EU_ECPCASH' = any(functions)")
      .orderByRaw("('EU_ECPSFTP' = any(functions)) desc")
      .orderBy(['participant_code', 'email'])
      .first('email', 'participant_code', 'functions');
    if (!row) return null;
    const functions = row.functions as string[];
    const download = samples.find((f) => f.fn === null || functions.includes(f.fn)) ?? null;
    return {
      email: row.email,
      participant: row.participant_code,
      sftp: functions.includes('EU_ECPSFTP'),
      download: download && { code: download.code, file: download.file },
    };
  } finally {
    await db.destroy();
  }
}

/** How to meet the simulated ECP 2.0 as a participant's user: the web API with a session, and SFTP. */
export function participantHowTo(
  config: Pick<Config, 'SIMULATOR_URL' | 'SIMULATOR_SFTP_PORT' | 'home'>,
  user: DemoUser,
  password: string,
): string {
  const key = path.join(config.home, 'demo-sftp-key');
  const body = `'{"loginId":"${user.email}","password":"${password}","otp":"'$(npx ecp-cutover simulator credentials ${user.email} --otp)'"}'`;
  const lines = [
    '',
    `log in to the simulated ECP 2.0 as ${user.email}, a user of firm ${user.participant} (SD1 moved there in B1):`,
    `  npx ecp-cutover simulator credentials ${user.email}        # Client Connect login ID, password, TOTP secret (any authenticator app)`,
    `  curl -s ${config.SIMULATOR_URL}/ecp2/login -H 'content-type: application/json' -d ${body}`,
    `  curl -s ${config.SIMULATOR_URL}/ecp2/folders -H 'authorization: Bearer <the session it answered>'`,
    ...(user.download
      ? [
          `  curl -s ${config.SIMULATOR_URL}/ecp2/folders/${user.download.code}/files/${user.download.file} -H 'authorization: Bearer <the session>'   # HKEX's sample download`,
        ]
      : []),
    '  (each one-time password works once: for another login, wait for the next 30-second code)',
  ];
  if (!user.sftp) return lines.join('\n');
  return [
    ...lines,
    `and by SFTP (${user.email} holds EU_ECPSFTP):`,
    `  ssh-keygen -t ed25519 -N '' -f ${key}`,
    `  npx ecp-cutover simulator sftp-key ${user.email} --public-key ${key}.pub      # from 127.0.0.1 (--ip to change)`,
    `  sftp -P ${config.SIMULATOR_SFTP_PORT} -i ${key} -o User=${user.email} 127.0.0.1      # ls, then put SD_${user.participant}_YYYYMMDD.csv /SD1/${user.participant}/${user.download ? `, get /${user.download.code}/${user.download.file}` : ''}`,
  ].join('\n');
}

function printWhereToLook(
  config: Config,
  profile: Profile,
  operators: { name: string; roles: string[]; tokenFile: string }[],
): void {
  const e = endpoints(config, profile);
  console.log(`
where to look:
  portal           ${e.portal.url}/api/folders
  control API      ${e.api.url}  (OpenAPI: ${e.api.openapi})
  console          ${e.api.console}
                   sign in with a demo operator's token: paste the content of one of these files
${operators.map((o) => `                     ${o.name.padEnd(6)} (${o.roles.join(', ')})  ${o.tokenFile}`).join('\n')}
  Temporal Web UI  ${e.temporal.ui ?? 'none with the server profile (temporal workflow list)'}
  mail received    ${e.smtp.messages.replace('/api/messages', '/')}
  the CLI, signed in as a demo operator (tokens mode 0600):
${operators.map((o) => `    ecp-cutover login --token-file ${o.tokenFile}`).join('\n')}
  then, e.g.       npx ecp-cutover participant 00199    (carol, support)
  stop it all      npx ecp-cutover dev down`);
}
