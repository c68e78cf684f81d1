import { randomBytes } from 'node:crypto';
import type { PlatformName } from '../../domain/intake-rules';
import type { PlatformGateway } from '../../platform/gateway';
import { participant as participantClient } from './participant';

/** The participants the submitters of startSubmitters act for (10000, 10001, …), one per client. */
export const submitterParticipants = (clients: number) =>
  Array.from({ length: clients }, (_, i) => String(10000 + i).padStart(5, '0'));

/**
 * Makes the submitting user a user of those participants in Client Connect, with the given functions, as a
 * firm's administrators would (FAQ B.4, B.14): ECP 2.0 takes their files only then.
 */
export async function enrolSubmitters(
  gateway: PlatformGateway,
  opts: { user: string; clients: number; functions: string[] },
): Promise<void> {
  await gateway.loadClientConnect(
    submitterParticipants(opts.clients).map((code) => ({
      code,
      users: [
        {
          email: opts.user,
          role: 'operator' as const,
          functions: opts.functions,
          sftpKeyRegistered: false,
          ipRegistered: false,
        },
      ],
    })),
  );
}

/** One submission attempt as a participant saw it. */
export interface Attempt {
  platform: PlatformName;
  participant: string;
  filename: string;
  status: number;
  code: string | null;
  message: string | null;
  sha256: string | null;
  sentSha256: string;
}

/**
 * Participants submitting SD-1 style files (`SD_{PID5}_{YYYYMMDD}.csv`) as fast as they can, logged in as the
 * enrolled user on each platform: each tries legacy ECP first and follows the refusal's advice (3001: the other
 * platform; 3002: again in a moment on the other platform). Returns every attempt when `stop()` is called.
 * `adminToken` is the simulator's: the user's credentials are handed out with it, as `simulator credentials` does.
 */
export function startSubmitters(
  simUrl: string,
  opts: { folder: string; user: string; clients: number; prefix?: string; adminToken: string },
) {
  const attempts: Attempt[] = [];
  let running = true;
  let seq = 0;
  const prefix = opts.prefix ?? 'SD';
  async function submit(
    platform: PlatformName,
    participant: string,
    filename: string,
    inputDate: string,
    content: Buffer,
  ) {
    const { createHash } = await import('node:crypto');
    const as = await participantClient(simUrl, opts.adminToken, opts.user, platform);
    const res = await as.post(`/folders/${opts.folder}/submissions`, {
      participant,
      filename,
      inputDate,
      contentBase64: content.toString('base64'),
    });
    const body = (await res.json()) as Record<string, string>;
    const a: Attempt = {
      platform,
      participant,
      filename,
      status: res.status,
      code: body.code ?? null,
      message: body.message ?? null,
      sha256: body.sha256 ?? null,
      sentSha256: createHash('sha256').update(content).digest('hex'),
    };
    attempts.push(a);
    return a;
  }
  async function loop(client: number) {
    let platform: PlatformName = 'legacy';
    while (running) {
      const n = seq++;
      const participant = String(10000 + client).padStart(5, '0');
      const day = new Date(Date.UTC(2022, 0, 1) + n * 86_400_000);
      const inputDate = day.toISOString().slice(0, 10);
      const filename = `${prefix}_${participant}_${inputDate.replaceAll('-', '')}.csv`;
      const content = randomBytes(64 + (n % 200));
      for (let tries = 0; tries < 50 && running; tries++) {
        const a = await submit(platform, participant, filename, inputDate, content);
        if (a.status === 201) break;
        if (a.code === '3001' || a.code === '3002') platform = platform === 'legacy' ? 'ecp2' : 'legacy';
        if (a.code === '3002') await new Promise((r) => setTimeout(r, 20));
        if (a.code !== '3001' && a.code !== '3002') break;
      }
    }
  }
  const loops = Array.from({ length: opts.clients }, (_, i) => loop(i));
  return {
    attempts,
    async stop() {
      running = false;
      await Promise.all(loops);
      return attempts;
    },
  };
}
