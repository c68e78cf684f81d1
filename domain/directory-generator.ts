import { USER_TYPES } from './directory';

/**
 * A realistic synthetic directory, the same for the same seed: a mix of user types close to the market's
 * (most firms are SEHK participants, fewer clear or trade derivatives), 2–20 users per firm, some firms using
 * SFTP, and about one firm in seven missing a function it needs (not ready).
 */
const SHARE: Record<(typeof USER_TYPES)[number], number> = {
  SEHK_EP: 0.6,
  SEHK_CCEP: 0.25,
  SEHK_TTEP: 0.04,
  SEHK_OTEP: 0.08,
  HKFE_EP: 0.22,
  HKSCC_DCP: 0.2,
  HKSCC_GCP: 0.05,
  NCP: 0.03,
  HKCC_CP: 0.08,
  SEOCH_CP: 0.07,
  RRI_NON_EP: 0.02,
  LOP_SUBMITTER: 0.03,
  IV: 0.02,
};

/** mulberry32: small, fast, good enough for test data and drills (the same seed, the same numbers). */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedDirectory {
  participantsCsv: string;
  usersCsv: string;
  stats: { participants: number; users: number; notReadyFirms: number; sftpFirms: number };
}

/**
 * @param functionsByUserType the functions a firm of each user type needs (from the catalog)
 * @param sftpFolderByUserType a folder a firm of that type may submit by SFTP (from the catalog)
 */
export function generateDirectory(
  n: number,
  seed: number,
  functionsByUserType: Record<string, string[]>,
  sftpFolderByUserType: Record<string, string>,
): GeneratedDirectory {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const participants = ['code,name_en,name_zh,user_types,emails,language,sftp_folders'];
  const users = ['participant_code,email,role,functions,sftp_key_registered,ip_registered'];
  let userCount = 0;
  let notReadyFirms = 0;
  let sftpFirms = 0;
  for (let i = 0; i < n; i++) {
    const code = String(Math.floor(((i + 1) * 99_999) / (n + 1))).padStart(5, '0');
    let types = USER_TYPES.filter((t) => rnd() < SHARE[t]);
    if (types.length === 0) types = [pick(['SEHK_EP', 'HKFE_EP', 'HKSCC_DCP'] as const)];
    const domain = `firm${code}.example.hk`;
    const language = pick(['both', 'both', 'en', 'en', 'zh-Hant'] as const);
    const sftpFolder = types.map((t) => sftpFolderByUserType[t]).find((f) => f !== undefined && rnd() < 0.2);
    if (sftpFolder) sftpFirms++;
    participants.push(
      [
        code,
        `Example Firm ${code} Ltd`,
        `範例公司 ${code} 有限公司`,
        types.join(';'),
        `ecp@${domain}`,
        language,
        sftpFolder ?? '',
      ].join(','),
    );

    let needed = [...new Set(types.flatMap((t) => functionsByUserType[t] ?? []))];
    if (needed.length > 0 && rnd() < 0.15) {
      needed = needed.filter((f) => f !== pick(needed)); // this firm forgot to grant one function
      notReadyFirms++;
    }
    const operators = 1 + Math.floor(rnd() * (rnd() < 0.05 ? 17 : 5));
    const rows = [
      `${code},admin1@${domain},admin,,false,false`,
      `${code},admin2@${domain},admin,,false,false`,
    ];
    for (let u = 0; u < operators; u++) {
      const fns = needed.filter(
        (_, k) => k % operators === u % Math.max(1, needed.length) || operators === 1 || u === 0,
      );
      const sftpUser = sftpFolder !== undefined && u === 0;
      const keyed = sftpUser && rnd() > 0.1;
      rows.push(
        `${code},op${u + 1}@${domain},operator,${[...fns, ...(sftpUser ? ['EU_ECPSFTP'] : [])].join(';')},${keyed},${keyed}`,
      );
    }
    users.push(...rows.slice(0, 20));
    userCount += Math.min(rows.length, 20);
  }
  return {
    participantsCsv: participants.join('\n') + '\n',
    usersCsv: users.join('\n') + '\n',
    stats: { participants: n, users: userCount, notReadyFirms, sftpFirms },
  };
}
