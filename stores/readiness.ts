import {
  adminShortfall,
  isAffected,
  readiness,
  type AudienceFolder,
  type AudienceUser,
  type ReadinessGap,
} from '../domain/audience';
import type { PlatformGateway } from '../platform/gateway';

/**
 * Readiness, computed over what the directory holds (a ReadinessSource: stores/readiness-store.ts reads it from
 * PostgreSQL) and the users Client Connect has. The computation holds no SQL, so that an in-memory source gives
 * the same answers as PostgreSQL's (the stores' contract tests run against both).
 */

/** One folder of a batch: how many affected firms are ready, and (up to the list limit) which are not and why. */
export interface FolderReadiness {
  code: string;
  name: string;
  affected: number;
  ready: number;
  notReady: number;
  /** At most `list` of them (BatchReadinessOptions). */
  affectedFirms: string[];
  notReadyFirms: { participant: string; missing: string }[];
}

/** One affected firm that has something to do: the folders it is not ready for, and its administrators if too few (FAQ B.4). */
export interface FirmAction {
  participant: string;
  gaps: { code: string; gap: ReadinessGap }[];
  /** The number of ECP administrators, when fewer than two; null when enough. */
  admins: number | null;
}

export interface BatchReadiness {
  folders: FolderReadiness[];
  /** Distinct firms affected by the batch, and those not ready for at least one of its folders. */
  affected: number;
  notReady: number;
  percentNotReady: number;
  /** Affected firms with fewer than two administrators (FAQ B.4): how many, and up to `list` of them. */
  shortOfAdmins: number;
  adminWarnings: { participant: string; warning: string }[];
}

export interface BatchReadinessOptions {
  /** How many firms to list per folder (and firms short of administrators); the counts are always complete. */
  list?: number;
  /** Called with each chunk of affected firms that have something to do (the readiness notices). */
  onFirms?: (firms: FirmAction[]) => Promise<void>;
}

/** Participants read per round: what the computation holds grows with this, not with the directory. */
const FIRM_CHUNK = 500;

/** Each participant's users, with where they were read and when. */
export interface UserSource {
  users: Map<string, AudienceUser[]>;
  /** client_connect: the platform (the source of truth); directory: the imported files, when the platform could not be read. */
  source: 'client_connect' | 'directory';
  at: string;
  /** Why the platform was not used, if it was not. */
  fallback: string | null;
  /** Participants whose users or functions differ between the platform and the imported directory. */
  disagreements: string[];
}

/** What readiness is computed from: the catalog's folders and the imported directory. */
export interface ReadinessSource {
  /** A planned batch's folders, or (a plan's preview) the folders named, by code. */
  folders(scope: ReadinessScope): Promise<(AudienceFolder & { name: string })[]>;
  /** Firms after `after` by code, at most `limit` of them. */
  participants(after: string, limit: number): Promise<{ code: string; userTypes: string[] }[]>;
  /** Which of these firms submit which folders over SFTP. */
  sftp(codes: string[]): Promise<{ participant: string; folder: string }[]>;
  /** The users of every firm as the imported directory has them, each firm's by email. */
  directoryUsers(): Promise<Map<string, AudienceUser[]>>;
  /** Whether the imported directory has any user at all. */
  hasUsers(): Promise<boolean>;
  /** Keeps what a batch read, for its report (ReadinessStore.record). */
  record(
    batchId: string,
    moment: ReadinessMoment,
    r: { affected: number; notReady: number; source: UserSource['source'] },
  ): Promise<void>;
}

export type ReadinessScope = { batch: string } | { folders: string[] };

/** Readiness as the activities and the application layer read it. */
export interface ReadinessStore {
  /** The users readiness is decided on (readinessUsers). */
  users(opts?: { compare?: boolean }): Promise<UserSource>;
  ofBatch(
    batchId: string,
    users: Map<string, AudienceUser[]>,
    opts?: BatchReadinessOptions,
  ): Promise<BatchReadiness>;
  /** A plan's, before it is a batch. */
  ofFolders(
    codes: string[],
    users: Map<string, AudienceUser[]>,
    opts?: BatchReadinessOptions,
  ): Promise<BatchReadiness>;
  /** Keeps what a batch read, at its announcement or at its planned instant, for its report (a later reading replaces it). */
  record(
    batchId: string,
    moment: ReadinessMoment,
    r: { affected: number; notReady: number; source: UserSource['source'] },
  ): Promise<void>;
}

export type ReadinessMoment = 'announcement' | 'instant';

/** Readiness over `source`, with Client Connect's users read through `gateway`. */
export function readinessOver(source: ReadinessSource, gateway: PlatformGateway): ReadinessStore {
  return {
    users: (opts) => readinessUsers(source, gateway, opts),
    ofBatch: (batch, users, opts) => batchReadiness(source, { batch }, users, opts),
    ofFolders: (folders, users, opts) => batchReadiness(source, { folders }, users, opts),
    record: (batchId, moment, r) => source.record(batchId, moment, r),
  };
}

const signature = (users: AudienceUser[] = []) =>
  users
    .map(
      (u) =>
        `${u.email}:${u.role ?? ''}:${[...u.functions].sort().join('+')}:${u.sftpKeyRegistered}:${u.ipRegistered}`,
    )
    .sort()
    .join('|');

/**
 * The users readiness is decided on: Client Connect's, read through the gateway (the platform is the source of
 * truth, FAQ B.4–B.7); the imported directory when the platform cannot be read, or answers with nobody at all.
 * With `compare` (the support views), where the two disagree is reported; without it (the workflows' activities)
 * the directory is not held in memory beside the platform's users.
 */
async function readinessUsers(
  source: ReadinessSource,
  gateway: PlatformGateway,
  opts: { compare?: boolean } = {},
): Promise<UserSource> {
  const at = new Date().toISOString();
  const fallback = async (why: string): Promise<UserSource> => ({
    users: await source.directoryUsers(),
    source: 'directory',
    at,
    fallback: why,
    disagreements: [],
  });
  let platform: Map<string, AudienceUser[]>;
  try {
    platform = new Map();
    for await (const p of gateway.clientConnect())
      platform.set(
        p.code,
        p.users.map((u) => ({ ...u })),
      );
  } catch (err) {
    return fallback(
      `Client Connect could not be read (${(err as Error).message.slice(0, 200)}): the imported directory is used`,
    );
  }
  if (platform.size === 0 && (await source.hasUsers())) {
    // A platform that answers but knows nobody is not set up yet: deciding on it would call every firm unready.
    return fallback(
      'Client Connect answered with no users at all (not loaded yet?): the imported directory is used',
    );
  }
  if (!opts.compare)
    return { users: platform, source: 'client_connect', at, fallback: null, disagreements: [] };
  const directory = await source.directoryUsers();
  const codes = [...new Set([...directory.keys(), ...platform.keys()])].sort();
  const disagreements = codes.filter((c) => signature(directory.get(c)) !== signature(platform.get(c)));
  return { users: platform, source: 'client_connect', at, fallback: null, disagreements };
}

/**
 * Readiness of a batch: per folder, the affected firms, how many are ready and what the others lack; per firm,
 * what it has to do. Firms are read a chunk at a time and only counts (and at most `list` examples) are kept,
 * so memory stays flat however many firms × folders (1,000 × 20,000 in the benchmark).
 */
async function batchReadiness(
  source: ReadinessSource,
  scope: ReadinessScope,
  usersOf: Map<string, AudienceUser[]>,
  opts: BatchReadinessOptions = {},
): Promise<BatchReadiness> {
  const list = opts.list ?? 0;
  const folders = (await source.folders(scope)).map(({ name, ...audience }) => ({
    audience,
    out: {
      code: audience.code,
      name,
      affected: 0,
      ready: 0,
      notReady: 0,
      affectedFirms: [] as string[],
      notReadyFirms: [] as FolderReadiness['notReadyFirms'],
    },
  }));
  const totals = {
    affected: 0,
    notReady: 0,
    shortOfAdmins: 0,
    adminWarnings: [] as BatchReadiness['adminWarnings'],
  };
  let after = '';
  for (;;) {
    const participants = await source.participants(after, FIRM_CHUNK);
    if (participants.length === 0) break;
    after = participants[participants.length - 1].code;
    const sftp = new Set(
      (await source.sftp(participants.map((p) => p.code))).map((r) => `${r.participant}/${r.folder}`),
    );
    const actions: FirmAction[] = [];
    for (const p of participants) {
      const users = usersOf.get(p.code) ?? [];
      const gaps: FirmAction['gaps'] = [];
      let affected = false;
      for (const { audience, out } of folders) {
        if (!isAffected(p.userTypes, audience)) continue;
        affected = true;
        out.affected++;
        if (out.affectedFirms.length < list) out.affectedFirms.push(p.code);
        const r = readiness(audience, users, sftp.has(`${p.code}/${audience.code}`));
        if (r.ready) {
          out.ready++;
          continue;
        }
        out.notReady++;
        if (out.notReadyFirms.length < list)
          out.notReadyFirms.push({ participant: p.code, missing: r.missing });
        gaps.push({ code: audience.code, gap: r.gap });
      }
      if (!affected) continue;
      totals.affected++;
      if (gaps.length) totals.notReady++;
      const warning = adminShortfall(users);
      if (warning) {
        totals.shortOfAdmins++;
        if (totals.adminWarnings.length < list) totals.adminWarnings.push({ participant: p.code, warning });
      }
      if (gaps.length || warning)
        actions.push({
          participant: p.code,
          gaps,
          admins: warning ? users.filter((u) => u.role === 'admin').length : null,
        });
    }
    if (actions.length) await opts.onFirms?.(actions);
  }
  return {
    folders: folders.map((f) => f.out),
    ...totals,
    percentNotReady: totals.affected ? (100 * totals.notReady) / totals.affected : 0,
  };
}
