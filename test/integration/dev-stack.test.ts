import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLowPorts, freePort, isAlive } from '../../dev/process';
import { runCli } from '../support/cli';
import { dashboardMetrics, declares } from '../support/dashboard';
import { newKey, sftpBatch } from '../support/openssh';
import { participantHowTo } from '../../cli/commands/demo';

// The whole embedded stack on ports of its own, with its state in a temporary directory.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecp-dev-'));
fs.chmodSync(home, 0o755);
const [pg, temporal, ui, smtp, web, sim, sftp, portal, api, rehearsal] = await Promise.all(
  Array.from({ length: 10 }, () => freePort()),
);
// The worker binds it only once it has started: below the ephemeral range, no outgoing connection takes it first.
const metrics = await freeLowPorts(1);
const env = {
  ECP_CUTOVER_HOME: home,
  POSTGRES_PORT: String(pg),
  TEMPORAL_ADDRESS: `127.0.0.1:${temporal}`,
  TEMPORAL_UI_PORT: String(ui),
  SMTP_URL: `smtp://127.0.0.1:${smtp}`,
  SMTP_SINK_WEB_PORT: String(web),
  SIMULATOR_URL: `http://127.0.0.1:${sim}`,
  SIMULATOR_SFTP_PORT: String(sftp),
  // The simulator's rehearsal environment (issue 28), beside the live one.
  REHEARSAL_PLATFORM_URL: `http://127.0.0.1:${rehearsal}`,
  PORTAL_PORT: String(portal),
  CONTROL_API_PORT: String(api),
  WORKER_METRICS_PORT: String(metrics),
  DATABASE_URL: '',
};

/** The first line an SSH server sends. */
const banner = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', (d) => (socket.destroy(), resolve(String(d))));
    socket.once('error', reject);
  });

afterAll(async () => {
  await runCli(['dev', 'down'], env);
  fs.rmSync(home, { recursive: true, force: true });
});

describe('ecp-cutover dev up | status | down', () => {
  it('starts every service, is a no-op the second time, stops exactly what it started, keeps the data', async () => {
    const first = await runCli(['dev', 'up'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    for (const s of ['postgres', 'temporal', 'smtp', 'simulator', 'worker', 'portal', 'api'])
      expect(first.stdout).toMatch(new RegExp(`${s} +started \\(pid \\d+\\)`));
    expect(first.stdout).toContain(`Temporal Web UI   http://127.0.0.1:${ui}`);

    const second = await runCli(['dev', 'up'], env);
    expect(second.stdout).not.toMatch(/started/);
    expect(second.stdout.match(/already running/g)).toHaveLength(7);

    const status = JSON.parse((await runCli(['dev', 'status', '--json'], env)).stdout);
    expect(status.temporal.kind).toBe('dev');
    expect(status.workers.map((w: { name: string }) => w.name)).toEqual(['worker']);
    expect(status.portal.url).toBe(`http://127.0.0.1:${portal}`);
    expect(status.api.url).toBe(`http://127.0.0.1:${api}`);
    // Each process connects as its own database role; the key and the role passwords are the owner's only.
    for (const f of [
      'secrets/command-signing.key',
      'secrets/db-api.password',
      'secrets/db-worker.password',
      'secrets/db-portal.password',
    ]) {
      expect((fs.statSync(path.join(home, f)).mode & 0o777).toString(8), f).toBe('600');
    }
    expect(status.smtp.messages).toBe(`http://127.0.0.1:${web}/api/messages`);
    // ECP 2.0's SFTP, its host key made once for this state directory (kept across down and up: clients pin it).
    expect(status.simulator).toEqual({ url: `http://127.0.0.1:${sim}`, sftp: `sftp://127.0.0.1:${sftp}` });
    const hostKeyFile = path.join(home, 'secrets', 'simulator-sftp-host.key');
    expect((fs.statSync(hostKeyFile).mode & 0o777).toString(8)).toBe('600');
    const hostKey = fs.readFileSync(hostKeyFile, 'utf8');
    expect(await banner(sftp)).toMatch(/^SSH-2\.0-/);
    expect(status.services.every((s: { pid: number | null }) => s.pid !== null)).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${ui}/`)).status).toBe(200);
    // Prometheus: the worker's SDK metrics, the portal's requests.
    expect(status.workers[0].metrics).toBe(`http://127.0.0.1:${metrics}/metrics`);
    await fetch(`http://127.0.0.1:${portal}/api/folders`);
    const portalMetrics = await (await fetch(status.metrics.portal)).text();
    for (const name of dashboardMetrics('ecp_cutover_portal_'))
      expect(declares(portalMetrics, name), name).toBe(true);
    expect(portalMetrics).toMatch(
      /^ecp_cutover_portal_request_duration_seconds_count\{route="\/api\/folders",method="GET",code="2xx"\} [1-9]/m,
    );

    const seeded = await runCli(['db', 'seed', '--demo'], env);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/demo operator alice \(planner\): token in .*tokens\/alice.token/);
    const aliceToken = fs.readFileSync(path.join(home, 'tokens', 'alice.token'), 'utf8').trim();
    expect((fs.statSync(path.join(home, 'tokens', 'alice.token')).mode & 0o777).toString(8)).toBe('600');
    const folders = (await (
      await fetch(`http://127.0.0.1:${portal}/api/folders?placement=new_on_2_0`)
    ).json()) as { folders: unknown[] };
    expect(folders.folders).toHaveLength(14);

    // A reconciler pass on the stack (run by its worker): the seeded catalog is where its records say. The
    // worker's SDK metrics now have workflow and activity tasks: the Grafana dashboard asks only for series it serves.
    const pass = await runCli(['reconcile'], { ...env, ECP_CUTOVER_TOKEN: aliceToken });
    expect(pass.stdout).toMatch(/reconciled 50 folders in \d+ ms: 0 drift\(s\) found/);
    expect(pass.code).toBe(0);
    const workerMetrics = await (await fetch(status.workers[0].metrics)).text();
    for (const name of dashboardMetrics('temporal_')) expect(declares(workerMetrics, name), name).toBe(true);

    const down = await runCli(['dev', 'down'], env);
    expect(down.stdout.match(/stopped \(pid/g)).toHaveLength(7);
    for (const s of status.services) expect(isAlive(s.pid), s.name).toBe(false);

    const again = await runCli(['dev', 'up'], env);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(fs.readFileSync(hostKeyFile, 'utf8')).toBe(hostKey);
    const after = JSON.parse(
      (await runCli(['folders', '--json'], { ...env, ECP_CUTOVER_TOKEN: aliceToken })).stdout,
    );
    expect(after).toHaveLength(50); // the data (and alice's token) survived down/up

    // Structured logs: JSON lines, the API's access log naming the verified operator and the route template.
    const lines = (name: string) =>
      fs
        .readFileSync(path.join(home, 'logs', `${name}.log`), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines('api')).toContainEqual(
      expect.objectContaining({
        component: 'api',
        level: 'info',
        msg: 'request',
        method: 'GET',
        route: '/api/folders',
        status: 200,
        operator: 'alice',
      }),
    );
    expect(lines('worker')).toContainEqual(
      expect.objectContaining({
        component: 'worker',
        level: 'info',
        msg: expect.stringMatching(/^worker polling task queue/),
      }),
    );
  });

  it('a participant meets the simulated ECP 2.0 on the stack as the demo prints it: credentials, a login, a download, SFTP', async () => {
    const aliceToken = fs.readFileSync(path.join(home, 'tokens', 'alice.token'), 'utf8').trim();
    // A participant on the stack, the way the demo prints it: a directory import gives the user their logins; the
    // credentials command hands them out; a login with the one-time password of the moment; SFTP with a key
    // registered by `simulator sftp-key`, through the system's OpenSSH client.
    const firms = path.join(home, 'p.csv');
    const people = path.join(home, 'u.csv');
    fs.writeFileSync(
      firms,
      'code,name_en,name_zh,user_types,emails,language\n00199,Demo Firm,示範,SEHK_EP,ecp@demo.hk,both\n',
    );
    fs.writeFileSync(
      people,
      'participant_code,email,role,functions,sftp_key_registered,ip_registered\n00199,ops@demo.hk,operator,EU_ECPCASH;EU_ECPIDR;EU_ECPSFTP,false,false\n',
    );
    expect(
      (
        await runCli(['directory', 'import', '--participants', firms, '--users', people], {
          ...env,
          ECP_CUTOVER_TOKEN: aliceToken,
        })
      ).code,
    ).toBe(0);
    const creds = JSON.parse(
      (await runCli(['simulator', 'credentials', 'ops@demo.hk', '--json'], env)).stdout,
    ) as { loginId: string; password: string };
    // HKEX's sample download, as the demo places it (admin credential: the stack's).
    const simToken = fs.readFileSync(path.join(home, 'secrets', 'simulator-admin.token'), 'utf8').trim();
    const placed = await fetch(
      `http://127.0.0.1:${sim}/ecp2/admin/folders/IDRFIMG/files/IDRFIMG_SAMPLE.csv`,
      {
        method: 'PUT',
        headers: { authorization: `Bearer ${simToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ contentBase64: Buffer.from('sample\n').toString('base64') }),
      },
    );
    expect(placed.status).toBe(200);
    const howTo = participantHowTo(
      { SIMULATOR_URL: `http://127.0.0.1:${sim}`, SIMULATOR_SFTP_PORT: sftp, home },
      {
        email: 'ops@demo.hk',
        participant: '00199',
        sftp: true,
        download: { code: 'IDRFIMG', file: 'IDRFIMG_SAMPLE.csv' },
      },
      creds.password,
    );
    expect(howTo).toContain('npx ecp-cutover simulator credentials ops@demo.hk ');
    expect(howTo).toContain(
      `curl -s http://127.0.0.1:${sim}/ecp2/login -H 'content-type: application/json' -d '{"loginId":"ops@demo.hk","password":"${creds.password}","otp":"'$(npx ecp-cutover simulator credentials ops@demo.hk --otp)'"}'`,
    );
    const otp = (await runCli(['simulator', 'credentials', 'ops@demo.hk', '--otp'], env)).stdout.trim();
    const login = await fetch(`http://127.0.0.1:${sim}/ecp2/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ loginId: creds.loginId, password: creds.password, otp }),
    });
    const { session } = (await login.json()) as { session: string };
    expect(login.status).toBe(200);
    expect(
      (
        (await (
          await fetch(`http://127.0.0.1:${sim}/ecp2/folders`, {
            headers: { authorization: `Bearer ${session}` },
          })
        ).json()) as { code: string }[]
      ).map((f) => f.code),
    ).toEqual(expect.arrayContaining(['IDRMAP', 'IDRFIMG']));
    expect(howTo).toContain(
      `curl -s http://127.0.0.1:${sim}/ecp2/folders/IDRFIMG/files/IDRFIMG_SAMPLE.csv -H 'authorization: Bearer <the session>'`,
    );
    expect(
      await (
        await fetch(`http://127.0.0.1:${sim}/ecp2/folders/IDRFIMG/files/IDRFIMG_SAMPLE.csv`, {
          headers: { authorization: `Bearer ${session}` },
        })
      ).text(),
    ).toBe('sample\n');
    const key = path.join(home, 'demo-sftp-key');
    expect(howTo).toContain(`ssh-keygen -t ed25519 -N '' -f ${key}`);
    expect(howTo).toContain(`npx ecp-cutover simulator sftp-key ops@demo.hk --public-key ${key}.pub`);
    expect(howTo).toContain(`sftp -P ${sftp} -i ${key} -o User=ops@demo.hk 127.0.0.1`);
    const generated = await newKey(home, 'demo-sftp-key');
    expect(
      (await runCli(['simulator', 'sftp-key', 'ops@demo.hk', '--public-key', generated.publicKey], env)).code,
    ).toBe(0);
    const listed = await sftpBatch({
      port: sftp,
      user: 'ops@demo.hk',
      key: generated.privateKey,
      commands: ['ls -1 /', `get /IDRFIMG/IDRFIMG_SAMPLE.csv ${path.join(home, 'sample.csv')}`],
      dir: home,
    });
    expect([listed.code, listed.stderr]).toEqual([0, '']);
    expect(listed.stdout).toMatch(/^\/IDRMAP$/m);
    expect(fs.readFileSync(path.join(home, 'sample.csv'), 'utf8')).toBe('sample\n');
  });

  it('refuses to start when a port is taken, naming the port and the variable', async () => {
    await runCli(['dev', 'down'], env);
    const blocker = net.createServer().listen(portal, '127.0.0.1');
    try {
      const r = await runCli(['dev', 'up'], env);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `error: port ${portal} for portal is taken by another program: stop it or set PORTAL_PORT to a free port (bad_input)`,
      );
      expect(
        JSON.parse((await runCli(['dev', 'status', '--json'], env)).stdout).services.every(
          (s: { pid: number | null }) => s.pid === null,
        ),
      ).toBe(true);
    } finally {
      blocker.close();
    }
  });
});
