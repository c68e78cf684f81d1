import { splitList } from './catalog';
import { parseCsv } from './csv';

/**
 * The participant directory files (docs/support.md "Participants, readiness and notices") and their validation. Every problem is reported, each with
 * its file, line and field, so that one import attempt shows all there is to fix.
 */
export const USER_TYPES = [
  'SEHK_EP',
  'SEHK_CCEP',
  'SEHK_TTEP',
  'SEHK_OTEP',
  'HKFE_EP',
  'HKSCC_DCP',
  'HKSCC_GCP',
  'NCP',
  'HKCC_CP',
  'SEOCH_CP',
  'RRI_NON_EP',
  'LOP_SUBMITTER',
  'IV',
] as const;
export const FUNCTIONS = [
  'EU_ECPCASH',
  'EU_ECPCC',
  'EU_ECPCOMP',
  'EU_ECPDERV',
  'EU_ECPGEN',
  'EU_ECPHKCC',
  'EU_ECPHKSCC',
  'EU_ECPIDR',
  'EU_ECPIV',
  'EU_ECPSEOCH',
  'EU_ECPSFTP',
] as const;
export const MAX_USERS = 20; // FAQ B.11

export interface ParticipantRow {
  code: string;
  nameEn: string;
  nameZh: string;
  userTypes: string[];
  emails: string[];
  language: 'en' | 'zh-Hant' | 'both';
  /** Folders the firm submitted by SFTP on legacy (optional column `sftp_folders`). */
  sftpFolders: string[];
}

export interface UserRow {
  participantCode: string;
  email: string;
  role: 'admin' | 'operator';
  functions: string[];
  sftpKeyRegistered: boolean;
  ipRegistered: boolean;
}

// Linear (the parts cannot overlap), and only tried on at most 254 characters (RFC 5321).
const EMAIL_PATTERN = /^[^\s@;,]+@[^\s@;,.]+(?:\.[^\s@;,.]+)+$/;
const isEmail = (s: string) => s.length <= 254 && EMAIL_PATTERN.test(s);

export function parseDirectory(participantsCsv: string, usersCsv: string, knownFolders: ReadonlySet<string>) {
  const problems: string[] = [];
  const participants: ParticipantRow[] = [];
  const users: UserRow[] = [];

  const p = parseCsv(participantsCsv);
  requireHeader(
    'participants',
    p.header,
    ['code', 'name_en', 'name_zh', 'user_types', 'emails', 'language'],
    problems,
    ['sftp_folders'],
  );
  const codes = new Set<string>();
  for (const { line, values: v } of p.rows) {
    const at = (field: string, msg: string) => problems.push(`participants line ${line}, ${field}: ${msg}`);
    const code = (v.code ?? '').trim();
    if (!/^\d{5}$/.test(code)) at('code', `'${code}' must be 5 digits (keep leading zeros, e.g. 01234)`);
    else if (codes.has(code)) at('code', `participant ${code} appears twice`);
    codes.add(code);
    if (!(v.name_en ?? '').trim()) at('name_en', 'is empty');
    const types = splitList(v.user_types);
    if (types.length === 0) at('user_types', 'names no user type');
    for (const t of types)
      if (!(USER_TYPES as readonly string[]).includes(t))
        at('user_types', `unknown user type '${t}' (known: ${USER_TYPES.join(', ')})`);
    const emails = splitList(v.emails);
    if (emails.length === 0) at('emails', 'names no contact email');
    for (const e of emails) if (!isEmail(e)) at('emails', `'${e.slice(0, 80)}' is not an email address`);
    const language = (v.language ?? '').trim();
    if (!['en', 'zh-Hant', 'both'].includes(language))
      at('language', `'${language}' must be en, zh-Hant or both`);
    const sftpFolders = splitList(v.sftp_folders);
    for (const f of sftpFolders) if (!knownFolders.has(f)) at('sftp_folders', `unknown folder '${f}'`);
    participants.push({
      code,
      nameEn: (v.name_en ?? '').trim(),
      nameZh: (v.name_zh ?? '').trim(),
      userTypes: types,
      emails,
      language: language as ParticipantRow['language'],
      sftpFolders,
    });
  }

  const u = parseCsv(usersCsv);
  requireHeader(
    'users',
    u.header,
    ['participant_code', 'email', 'role', 'functions', 'sftp_key_registered', 'ip_registered'],
    problems,
  );
  const seen = new Set<string>();
  const perFirm = new Map<string, number>();
  const lines: number[] = [];
  for (const { line, values: v } of u.rows) {
    const at = (field: string, msg: string) => problems.push(`users line ${line}, ${field}: ${msg}`);
    const code = (v.participant_code ?? '').trim();
    if (!/^\d{5}$/.test(code)) at('participant_code', `'${code}' must be 5 digits`);
    else if (!codes.has(code)) at('participant_code', `participant ${code} is not in the participants file`);
    const email = (v.email ?? '').trim().toLowerCase();
    if (!isEmail(email)) at('email', `'${email.slice(0, 80)}' is not an email address`);
    else if (seen.has(`${code}/${email}`)) at('email', `user ${email} appears twice for participant ${code}`);
    seen.add(`${code}/${email}`);
    const role = (v.role ?? '').trim();
    if (role !== 'admin' && role !== 'operator') at('role', `'${role}' must be admin or operator`);
    const functions = splitList(v.functions);
    for (const f of functions)
      if (!(FUNCTIONS as readonly string[]).includes(f))
        at('functions', `unknown Client Connect function '${f}'`);
    const bool = (field: string) => {
      const raw = (v[field] ?? '').trim();
      if (raw !== 'true' && raw !== 'false') at(field, `'${raw}' must be true or false`);
      return raw === 'true';
    };
    const n = (perFirm.get(code) ?? 0) + 1;
    perFirm.set(code, n);
    if (n === MAX_USERS + 1)
      at(
        'participant_code',
        `participant ${code} has more than ${MAX_USERS} users (FAQ B.11: admins and operators together)`,
      );
    users.push({
      participantCode: code,
      email,
      role: role as UserRow['role'],
      functions,
      sftpKeyRegistered: bool('sftp_key_registered'),
      ipRegistered: bool('ip_registered'),
    });
    lines.push(line);
  }
  problems.push(...clearingClientEmails(participants, users, lines));
  return { participants, users, problems };
}

/**
 * FAQ B.13: a General Clearing Participant's user, whose address Client Connect registers under the GCP, does not
 * also get an account for a Non-Clearing Participant client: the FAQ's advice is to give the NCP client a
 * different address (a group mailbox or a colleague's), whose administrator then creates the account. So one
 * address is not a user of both a GCP and an NCP.
 */
function clearingClientEmails(participants: ParticipantRow[], users: UserRow[], lines: number[]): string[] {
  const types = new Map(participants.map((p) => [p.code, p.userTypes]));
  const is = (code: string, type: string) => (types.get(code) ?? []).includes(type);
  const gcpOf = new Map<string, string>();
  for (const u of users)
    if (is(u.participantCode, 'HKSCC_GCP') && !gcpOf.has(u.email)) gcpOf.set(u.email, u.participantCode);
  return users.flatMap((u, i) => {
    const gcp = gcpOf.get(u.email);
    if (!gcp || gcp === u.participantCode || !is(u.participantCode, 'NCP')) return [];
    return [
      `users line ${lines[i]}, email: ${u.email} is a user of General Clearing Participant ${gcp} and cannot also be one of its Non-Clearing Participant client ${u.participantCode}: Client Connect registers the address under ${gcp}; give the NCP client a different address (a group mailbox or a colleague's) and let its administrator create the account (FAQ B.13)`,
    ];
  });
}

function requireHeader(
  file: string,
  header: string[],
  wanted: string[],
  problems: string[],
  optional: string[] = [],
) {
  const missing = wanted.filter((h) => !header.includes(h));
  if (missing.length)
    problems.push(`${file} line 1: missing column(s) ${missing.join(', ')} (expected ${wanted.join(',')})`);
  const unknown = header.filter((h) => !wanted.includes(h) && !optional.includes(h));
  if (unknown.length)
    problems.push(
      `${file} line 1: unknown column(s) ${unknown
        .slice(0, 5)
        .map((h) => `'${h.slice(0, 40)}'`)
        .join(', ')}`,
    );
}

/** The directory's users as Client Connect has participants (for loading the embedded stack's platform). */
export function asClientConnect(participants: ParticipantRow[], users: UserRow[]) {
  const byFirm = new Map<string, UserRow[]>();
  for (const u of users) byFirm.set(u.participantCode, [...(byFirm.get(u.participantCode) ?? []), u]);
  return participants.map((p) => ({
    code: p.code,
    users: (byFirm.get(p.code) ?? []).map((u) => ({
      email: u.email,
      role: u.role,
      functions: u.functions,
      sftpKeyRegistered: u.sftpKeyRegistered,
      ipRegistered: u.ipRegistered,
    })),
  }));
}
