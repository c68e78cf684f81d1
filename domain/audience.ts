/**
 * Who a folder concerns (FAQ B.4–B.7, appendix 7.4). A participant is affected by a folder if one of its
 * user types sees the folder; it is ready for the folder on ECP 2.0 if one of its users holds the folder's
 * function — and, if it submitted the folder by SFTP on legacy, also EU_ECPSFTP with a registered key and IP.
 */
export const SFTP_FUNCTION = 'EU_ECPSFTP';

export interface AudienceFolder {
  code: string;
  userTypes: string[];
  ccFunction: string | null;
}

export interface AudienceUser {
  email: string;
  functions: string[];
  sftpKeyRegistered: boolean;
  ipRegistered: boolean;
}

export function isAffected(participantUserTypes: readonly string[], folder: AudienceFolder): boolean {
  return folder.userTypes.includes('ALL') || folder.userTypes.some((t) => participantUserTypes.includes(t));
}

export type Readiness = { ready: true } | { ready: false; missing: string };

export function readiness(folder: AudienceFolder, users: readonly AudienceUser[], usedSftp: boolean): Readiness {
  if (folder.ccFunction === null) return { ready: true }; // nothing to grant
  if (!users.some((u) => u.functions.includes(folder.ccFunction!))) {
    return { ready: false, missing: `no user holds ${folder.ccFunction}: an ECP administrator grants it to an operator in Client Connect (FAQ B.6-B.7)` };
  }
  if (usedSftp && !users.some((u) => u.functions.includes(SFTP_FUNCTION) && u.sftpKeyRegistered && u.ipRegistered)) {
    return { ready: false, missing: `submits ${folder.code} by SFTP but no user holds ${SFTP_FUNCTION} with a registered key and IP (FAQ C.22)` };
  }
  return { ready: true };
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
      if (f.ccFunction && !(functionsByUserType[t] ??= []).includes(f.ccFunction)) functionsByUserType[t].push(f.ccFunction);
      if (f.sftp && !sftpFolderByUserType[t]) sftpFolderByUserType[t] = f.code;
    }
  }
  return { functionsByUserType, sftpFolderByUserType };
}
