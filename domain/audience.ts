/**
 * Who a folder concerns (FAQ B.4–B.7, appendix 7.4). A participant is affected by a folder if one of its
 * user types sees the folder; it is ready for the folder on ECP 2.0 if one of its users holds the folder's
 * function — and, if it chose SFTP for the folder, one user holds EU_ECPSFTP, a registered key and IP, and that function.
 */
export const SFTP_FUNCTION = 'EU_ECPSFTP';

export interface AudienceFolder {
  code: string;
  userTypes: string[];
  ccFunction: string | null;
}

export interface AudienceUser {
  email: string;
  role?: 'admin' | 'operator';
  functions: string[];
  sftpKeyRegistered: boolean;
  ipRegistered: boolean;
}

/** FAQ B.4: a firm's ECP administrators work as maker and checker, so it needs at least two to create users. */
export const MIN_ADMINS = 2;

export function isAffected(participantUserTypes: readonly string[], folder: AudienceFolder): boolean {
  return folder.userTypes.includes('ALL') || folder.userTypes.some((t) => participantUserTypes.includes(t));
}

/** Why a firm is not ready for a folder, as data: each language words it itself (gapText). */
export type ReadinessGap =
  | { kind: 'no_web_function' }
  | { kind: 'no_function'; fn: string }
  | { kind: 'no_sftp_user'; folder: string; fn: string | null };

/** `missing` is the English wording (support views, CLI); notices word `gap` in each language. */
export type Readiness = { ready: true } | { ready: false; gap: ReadinessGap; missing: string };

const notReady = (gap: ReadinessGap): Readiness => ({ ready: false, gap, missing: gapText(gap, 'en') });

/** What is missing and who fixes it, in English or Traditional Chinese (a Chinese notice carries no English gap text). */
export function gapText(gap: ReadinessGap, lang: 'en' | 'zh'): string {
  switch (gap.kind) {
    case 'no_web_function':
      return lang === 'en'
        ? 'no user holds any ECP function for the web, so nobody can enter ECP 2.0: an ECP administrator grants one in Client Connect (FAQ B.5)'
        : '並無用戶持有任何網上 e 通訊功能，因此無人能進入 e 通訊 2.0：請由 e 通訊管理人士於 Client Connect 授予（常問問題第 5 條）';
    case 'no_function':
      return lang === 'en'
        ? `no user holds ${gap.fn}: an ECP administrator grants it to an operator in Client Connect (FAQ B.6-B.7)`
        : `並無用戶持有 ${gap.fn}：請由 e 通訊管理人士於 Client Connect 授予一位營運人士（常問問題第 6 至 7 條）`;
    case 'no_sftp_user': {
      const fns = gap.fn ? `${SFTP_FUNCTION} and ${gap.fn}` : SFTP_FUNCTION;
      return lang === 'en'
        ? `chose SFTP for ${gap.folder} on ECP 2.0 (new there, FAQ C.21) but no single user holds ${fns} with a registered key and IP (FAQ B.6, C.22)`
        : `已選擇於 e 通訊 2.0 以 SFTP 提交 ${gap.folder}（e 通訊 2.0 新增的渠道，常問問題第 21 條），惟並無同一位用戶持有 ${gap.fn ? `${SFTP_FUNCTION} 及 ${gap.fn}` : SFTP_FUNCTION} 並已登記公鑰及 IP 地址（常問問題第 6、22 條）`;
    }
  }
}

/**
 * Ready for a folder on ECP 2.0: a user holds the folder's function (for a folder with none, any ECP function
 * for the web: FAQ B.5); and, if the firm chose SFTP for the folder on ECP 2.0 — SFTP is new there (FAQ
 * C.21) — one user who can submit it by SFTP: the same user holds EU_ECPSFTP (FAQ B.6), a registered key and
 * address (FAQ C.22) and the folder's function. That it must be one user is the project's rule, because it is
 * what the SFTP channel checks at login and on each folder: a key on one user and the function on another
 * submit nothing. The same rules as the platform's intake (domain/intake-rules.ts).
 */
export function readiness(
  folder: AudienceFolder,
  users: readonly AudienceUser[],
  choseSftp: boolean,
): Readiness {
  if (folder.ccFunction === null) {
    if (!users.some((u) => u.functions.some((f) => f !== SFTP_FUNCTION))) {
      return notReady({ kind: 'no_web_function' });
    }
  } else if (!users.some((u) => u.functions.includes(folder.ccFunction!))) {
    return notReady({ kind: 'no_function', fn: folder.ccFunction! });
  }
  if (choseSftp && !users.some((u) => canSubmitBySftp(u, folder))) {
    return notReady({ kind: 'no_sftp_user', folder: folder.code, fn: folder.ccFunction });
  }
  return { ready: true };
}

/** One user who may submit the folder over SFTP: EU_ECPSFTP, a key and an address registered, the folder's function. */
export const canSubmitBySftp = (u: AudienceUser, folder: AudienceFolder) =>
  u.functions.includes(SFTP_FUNCTION) &&
  u.sftpKeyRegistered &&
  u.ipRegistered &&
  (folder.ccFunction === null || u.functions.includes(folder.ccFunction));

/** The firm's administrators fall short of maker and checker (FAQ B.4): a warning for support and a line in the readiness notice. */
export function adminShortfall(users: readonly AudienceUser[]): string | null {
  const admins = users.filter((u) => u.role === 'admin').length;
  if (admins >= MIN_ADMINS) return null;
  return `${admins} ECP administrator(s) in Client Connect, and creating users takes two (maker and checker, FAQ B.4): appoint another with the "ECP user type and administrator access" form to HKEX`;
}

/**
 * What a directory generator needs from the folders still to move: the functions each user type needs, and
 * one SFTP folder per user type.
 */
export function audienceOf(folders: (AudienceFolder & { sftp: boolean })[]) {
  const functionsByUserType: Record<string, string[]> = {};
  const sftpFolderByUserType: Record<string, string> = {};
  for (const f of [...folders].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) {
    for (const t of f.userTypes) {
      if (f.ccFunction && !(functionsByUserType[t] ??= []).includes(f.ccFunction))
        functionsByUserType[t].push(f.ccFunction);
      if (f.sftp && !sftpFolderByUserType[t]) sftpFolderByUserType[t] = f.code;
    }
  }
  return { functionsByUserType, sftpFolderByUserType };
}
