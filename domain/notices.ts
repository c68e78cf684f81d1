import { gapText, type ReadinessGap } from './audience';
import { formatHk } from './time';

/**
 * The words of the notices participants receive: one per firm per event, listing only that firm's
 * folders, in English and Traditional Chinese (the firm's preferred language first).
 */
export const NOTICE_KINDS = [
  'batch_announced',
  'batch_reminder',
  'folders_live',
  'batch_cancelled',
  'folder_switched_back',
  'readiness_action_needed',
  'decommission_scheduled',
  'decommission_reminder',
  'legacy_decommissioned',
  'batch_outcome',
] as const;
/** Kinds rendered by renderNotice (readiness notices have their own renderer). */
export type NoticeKind = Exclude<(typeof NOTICE_KINDS)[number], 'readiness_action_needed'>;
/** queued → sending → sent | failed; `withdrawn`: queued for a batch that was stopped, never sent. */
export const NOTICE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'withdrawn'] as const;

export interface NoticeFolder {
  code: string;
  nameEn: string;
  nameZh: string;
  /** submit | download | both (download folders are told as "download", never "submit": this tool's rule; FAQ D.27–D.29 speak of submission folders only). */
  direction: string;
  /** What the Input Date means for this folder (catalog; FAQ C.23), '' or 'None' when it has none. */
  inputDateMeaning: string;
  /** Retired with the batch: closed and hidden on legacy, not moved (a rule of this tool, not the FAQ's). */
  retired?: boolean;
  /** At a batch's end (batch_outcome): what became of the folder. */
  outcome?: FolderOutcome;
}

/** moved: live on ECP 2.0; not_moved: it stays on the current ECP (failed, skipped, or stopped); retired / not_retired: a folder the batch was to retire. */
export type FolderOutcome = 'moved' | 'not_moved' | 'retired' | 'not_retired';

export interface NoticeContext {
  kind: NoticeKind;
  participant: { code: string; nameEn: string; nameZh: string; language: 'en' | 'zh-Hant' | 'both' };
  folders: NoticeFolder[];
  /** The batch (or folder) the notice is about, and when it moves / moved. */
  subject: string;
  at: string;
}

const ECP2 = 'https://ecp2.hkex.com.hk';

const TEXT: Record<
  NoticeKind,
  { subjectEn: string; subjectZh: string; en: (at: string) => string; zh: (at: string) => string }
> = {
  batch_announced: {
    subjectEn: 'folders move to ECP 2.0',
    subjectZh: '文件夾轉移至 e 通訊 2.0',
    en: (at) =>
      `HKEX will move the folders below from the current ECP to ECP 2.0 at ${at} (Hong Kong time). From then on, use these folders on ECP 2.0 only (${ECP2}); on the current ECP they will be disabled and hidden (FAQ D.27). Please make sure that your users hold the right ECP functions in Client Connect before then (FAQ B.4–B.7).`,
    zh: (at) =>
      `香港交易所將於 ${at}（香港時間）把以下文件夾由現有 e 通訊轉移至 e 通訊 2.0。屆時請只經 e 通訊 2.0（${ECP2}）使用相關文件夾；現有 e 通訊上的相同文件夾將被設為無效及隱藏（常問問題第 27 條）。請確保貴公司用戶已於 Client Connect 獲授予正確的 e 通訊功能（常問問題第 4 至 7 條）。`,
  },
  batch_reminder: {
    subjectEn: 'reminder: folders move to ECP 2.0 on the next business day',
    subjectZh: '提示：文件夾將於下一個營業日轉移至 e 通訊 2.0',
    en: (at) =>
      `Reminder: the folders below move from the current ECP to ECP 2.0 at ${at} (Hong Kong time). Submissions made while a folder is being moved are refused with a message telling you where to submit; nothing is lost.`,
    zh: (at) =>
      `提示：以下文件夾將於 ${at}（香港時間）由現有 e 通訊轉移至 e 通訊 2.0。轉移期間提交的文件會被拒絕，系統會提示應於哪個平台提交；不會遺失任何文件。`,
  },
  folders_live: {
    subjectEn: 'folders now on ECP 2.0',
    subjectZh: '文件夾已轉移至 e 通訊 2.0',
    en: (at) =>
      `The folders below have been on ECP 2.0 since ${at} (Hong Kong time). Use them on ECP 2.0 only (${ECP2}); on the current ECP they are disabled and hidden (FAQ D.27). Appendix 7.3 of the ECP 2.0 user guide lists every folder that has moved (FAQ D.29).`,
    zh: (at) =>
      `以下文件夾已於 ${at}（香港時間）轉移至 e 通訊 2.0。請只經 e 通訊 2.0（${ECP2}）使用相關文件夾；現有 e 通訊上的相同文件夾已被設為無效及隱藏（常問問題第 27 條）。已轉移的文件夾載於 e 通訊 2.0 用戶使用指南附錄 7.3（常問問題第 29 條）。`,
  },
  decommission_scheduled: {
    subjectEn: 'legacy ECP will be switched off',
    subjectZh: '現有 e 通訊將停用',
    en: (at) =>
      `Legacy ECP will be switched off at ${at} (Hong Kong time), once every submission folder has moved to ECP 2.0 (FAQ E.30). From then on, use ECP 2.0 only (${ECP2}).`,
    zh: (at) =>
      `現有 e 通訊將於 ${at}（香港時間）停用（所有提交文件夾轉移至 e 通訊 2.0 後，常問問題第 30 條）。其後請只使用 e 通訊 2.0（${ECP2}）。`,
  },
  decommission_reminder: {
    subjectEn: 'reminder: legacy ECP will be switched off',
    subjectZh: '提示：現有 e 通訊將停用',
    en: (at) =>
      `Reminder: legacy ECP will be switched off at ${at} (Hong Kong time). Please make sure that your users can log in to ECP 2.0 through Client Connect.`,
    zh: (at) =>
      `提示：現有 e 通訊將於 ${at}（香港時間）停用。請確保貴公司用戶能經 Client Connect 登入 e 通訊 2.0。`,
  },
  legacy_decommissioned: {
    subjectEn: 'legacy ECP has been switched off',
    subjectZh: '現有 e 通訊已停用',
    en: (at) =>
      `Legacy ECP was switched off at ${at} (Hong Kong time). Every submission is now made on ECP 2.0 (${ECP2}).`,
    zh: (at) => `現有 e 通訊已於 ${at}（香港時間）停用。所有文件請經 e 通訊 2.0（${ECP2}）提交。`,
  },
  batch_cancelled: {
    subjectEn: 'called off: folders stay on the current ECP',
    subjectZh: '取消：文件夾仍留在現有 e 通訊',
    en: (at) =>
      `The move of the folders below to ECP 2.0, announced for ${at} (Hong Kong time), has been called off. Keep using them on the current ECP; nothing changes for them. A new date will be announced separately.`,
    zh: (at) =>
      `原定於 ${at}（香港時間）把以下文件夾轉移至 e 通訊 2.0 的安排已經取消。請繼續經現有 e 通訊使用相關文件夾，安排維持不變。新日期將另行公布。`,
  },
  batch_outcome: {
    subjectEn: 'where each folder is now',
    subjectZh: '各文件夾現時所在平台',
    en: (at) =>
      `The move to ECP 2.0 planned for ${at} (Hong Kong time) is over. Below is where each of your folders is now, and where to use it from now on.`,
    zh: (at) =>
      `原定於 ${at}（香港時間）轉移至 e 通訊 2.0 的安排已經完成。以下列出貴公司各文件夾現時所在的平台，以及此後應經哪個平台使用。`,
  },
  folder_switched_back: {
    subjectEn: 'folder switched back to the current ECP',
    subjectZh: '文件夾已轉回現有 e 通訊',
    en: (at) =>
      `The folders below were moved back from ECP 2.0 to the current ECP at ${at} (Hong Kong time). Until further notice, use them on the current ECP.`,
    zh: (at) =>
      `以下文件夾已於 ${at}（香港時間）由 e 通訊 2.0 轉回現有 e 通訊。在另行通知前，請經現有 e 通訊使用相關文件夾。`,
  },
};

/** For a firm whose folders in the batch are all retired ones: nothing of theirs moves, so the notice says so. */
const RETIRE_ONLY: Partial<
  Record<
    NoticeKind,
    { subjectEn: string; subjectZh: string; en: (at: string) => string; zh: (at: string) => string }
  >
> = {
  batch_announced: {
    subjectEn: 'folders retired on the current ECP',
    subjectZh: '現有 e 通訊文件夾撤銷',
    en: (at) =>
      `At ${at} (Hong Kong time), HKEX will retire the folders below: they will be disabled and hidden on the current ECP and will not move to ECP 2.0 (a rule of this cutover, not of the FAQ).`,
    zh: (at) =>
      `香港交易所將於 ${at}（香港時間）撤銷以下文件夾：現有 e 通訊上的相關文件夾將被設為無效及隱藏，並不會轉移至 e 通訊 2.0（此為本次轉移的安排，並非常問問題所載）。`,
  },
  batch_reminder: {
    subjectEn: 'reminder: folders retired on the current ECP',
    subjectZh: '提示：現有 e 通訊文件夾撤銷',
    en: (at) =>
      `Reminder: at ${at} (Hong Kong time), the folders below will be retired: disabled and hidden on the current ECP, not moved to ECP 2.0 (a rule of this cutover, not of the FAQ).`,
    zh: (at) =>
      `提示：以下文件夾將於 ${at}（香港時間）撤銷：現有 e 通訊上的相關文件夾將被設為無效及隱藏，並不會轉移至 e 通訊 2.0（此為本次轉移的安排，並非常問問題所載）。`,
  },
  folders_live: {
    subjectEn: 'folders retired',
    subjectZh: '文件夾已撤銷',
    en: (at) =>
      `Since ${at} (Hong Kong time), the folders below are retired: disabled and hidden on the current ECP; they did not move to ECP 2.0 (a rule of this cutover, not of the FAQ).`,
    zh: (at) =>
      `以下文件夾已於 ${at}（香港時間）撤銷：現有 e 通訊上的相關文件夾已被設為無效及隱藏，並沒有轉移至 e 通訊 2.0（此為本次轉移的安排，並非常問問題所載）。`,
  },
};

/** A download folder takes no submission: it is told as "download", never "submit" (this tool's rule). */
const isDownload = (f: NoticeFolder) => f.direction === 'download';
/** The folder's Input Date meaning, first clause only ("Trade date (T)"); null when the folder has none. */
function inputDate(f: NoticeFolder): string | null {
  const m = f.inputDateMeaning.split(';')[0].trim();
  return m && !/^none$/i.test(m) ? m : null;
}

/** Only the announcement and the reminder tell firms what to do before the move. */
const WITH_GUIDANCE: readonly NoticeKind[] = ['batch_announced', 'batch_reminder'];

/** What a firm's users must do to work on ECP 2.0 (FAQ A.1–A.3, B.8, C.23–C.26); item 4 only when a folder takes submissions. */
function guidance(lang: 'en' | 'zh', submits: boolean): string[] {
  const en = [
    'Before the move, please make sure that:',
    '  1. Your users log in to ECP 2.0 with their Client Connect login ID, password and one-time password; current ECP logins do not work on ECP 2.0 (FAQ A.1).',
    '  2. They use Chrome or Edge, version 88 or later, on a computer; iPhone and iPad are not supported (FAQ A.2).',
    `  3. They enter through ${ECP2} and then "HKEX Client Connect" (or "ECP" in the Client Connect menu), never through a bookmarked Client Connect login page (FAQ A.3).`,
    ...(submits
      ? [
          '  4. On every submission they choose the Input Date the folder asks for (shown above); a wrong Input Date is refused with error 4505 (FAQ C.23–C.24).',
          '  5. To correct a file, they submit it again with the same name: it overwrites the earlier one (FAQ C.25).',
          '  6. Submitted files cannot be downloaded again; to check one, compare its SHA-256 checksum with the one shown in Activity Enquiry (FAQ C.26).',
        ]
      : []),
    `  ${submits ? 7 : 4}. If your firm is not yet a Client Connect user, send the "ECP user type and administrator access" application form to HKEX to appoint your ECP administrators (FAQ B.8).`,
  ];
  const zh = [
    '轉移前，請確保：',
    '  1. 用戶以 Client Connect 的登入帳號、密碼及一次性密碼登入 e 通訊 2.0；現有 e 通訊的存取憑證不能用於 e 通訊 2.0（常問問題第 1 條）。',
    '  2. 用戶以電腦上的 Chrome 或 Edge 88 或以上版本進入；iPhone 及 iPad 並不支援（常問問題第 2 條）。',
    `  3. 用戶經 ${ECP2} 點擊“HKEX Client Connect”登入（或於 Client Connect 左邊的菜單按「ECP」），切勿經已收藏的 Client Connect 登入版面進入（常問問題第 3 條）。`,
    ...(submits
      ? [
          '  4. 每次提交時選擇文件夾所要求的 Input Date（見上文）；Input Date 不正確的文件會被拒絕，錯誤碼為 4505（常問問題第 23 及 24 條）。',
          '  5. 如需更正文件，請重新提交同樣名稱的文件，系統會自動覆蓋之前的文件（常問問題第 25 條）。',
          '  6. 已提交的文件不能下載；如需驗證，請將文件的 SHA-256 Checksum 與查詢用戶活動（Activity Enquiry）內的 Checksum 數值比較（常問問題第 26 條）。',
        ]
      : []),
    `  ${submits ? 7 : 4}. 若貴公司不是現有 Client Connect 用戶，請填妥並提交「e 通訊用戶類型及管理人士權限申請／維護表格」予香港交易所，以委任貴公司的 e 通訊管理人士（常問問題第 8 條）。`,
  ];
  return lang === 'en' ? en : zh;
}

/** Where the folders of a notice are to be used: ECP 2.0 after a move, the current ECP when it is off or undone. */
const STAYS_ON_LEGACY: readonly NoticeKind[] = ['batch_cancelled', 'folder_switched_back'];

const HEADINGS = {
  en: {
    submit: (legacy: boolean) =>
      legacy
        ? 'Submission folders (keep submitting on the current ECP):'
        : 'Submission folders (submit on ECP 2.0):',
    download: (legacy: boolean) =>
      legacy
        ? 'Download folders (keep downloading from the current ECP):'
        : 'Download folders (download from ECP 2.0; nothing is submitted to them):',
    retired: (kind: NoticeKind) =>
      kind === 'folders_live'
        ? 'Retired folders (closed and hidden on the current ECP, not moved to ECP 2.0: no platform takes them any more (a rule of this cutover, not of the FAQ); ask HKEX ECP Support what replaces them):'
        : STAYS_ON_LEGACY.includes(kind)
          ? 'Folders that were to be retired (the retirement is called off: they stay open on the current ECP):'
          : 'Folders to be retired (closed and hidden on the current ECP at that time, not moved to ECP 2.0 (a rule of this cutover, not of the FAQ); ask HKEX ECP Support what replaces them):',
  },
  zh: {
    submit: (legacy: boolean) =>
      legacy ? '提交文件夾（請繼續經現有 e 通訊提交）：' : '提交文件夾（經 e 通訊 2.0 提交）：',
    download: (legacy: boolean) =>
      legacy ? '下載文件夾（請繼續經現有 e 通訊下載）：' : '下載文件夾（經 e 通訊 2.0 下載，不接受提交）：',
    retired: (kind: NoticeKind) =>
      kind === 'folders_live'
        ? '撤銷的文件夾（已於現有 e 通訊設為無效及隱藏，不會轉移至 e 通訊 2.0，兩個平台均不再接受（此為本次轉移的安排，並非常問問題所載）；如有疑問請聯絡香港交易所 e 通訊支援組）：'
        : STAYS_ON_LEGACY.includes(kind)
          ? '原定撤銷的文件夾（撤銷安排已取消，仍可經現有 e 通訊使用）：'
          : '將撤銷的文件夾（屆時於現有 e 通訊設為無效及隱藏，不會轉移至 e 通訊 2.0（此為本次轉移的安排，並非常問問題所載）；如有疑問請聯絡香港交易所 e 通訊支援組）：',
  },
};

/** At a batch's end: each outcome apart, and within a move submission folders apart from download folders. */
const OUTCOME_HEADINGS = {
  en: {
    movedSubmit:
      'Moved to ECP 2.0 — submission folders: submit them on ECP 2.0 only from now on; on the current ECP they are disabled and hidden (FAQ D.27):',
    movedDownload:
      'Moved to ECP 2.0 — download folders: download from ECP 2.0 (nothing is submitted to them):',
    notMoved:
      'Not moved — keep using these on the current ECP, as before (FAQ D.27); their new date will be announced (FAQ D.28):',
    retired:
      'Retired as planned — closed and hidden on the current ECP, not moved to ECP 2.0 (a rule of this cutover, not of the FAQ); ask HKEX ECP Support what replaces them:',
    notRetired: 'Not retired after all — they stay open on the current ECP for now:',
  },
  zh: {
    movedSubmit:
      '已轉移至 e 通訊 2.0 — 提交文件夾：此後請只經 e 通訊 2.0 提交；現有 e 通訊上的相同文件夾已被設為無效及隱藏（常問問題第 27 條）：',
    movedDownload: '已轉移至 e 通訊 2.0 — 下載文件夾：請經 e 通訊 2.0 下載（不接受提交）：',
    notMoved:
      '並未轉移 — 請如常繼續經現有 e 通訊使用（常問問題第 27 條）；新的轉移日期將另行公布（常問問題第 28 條）：',
    retired:
      '已按計劃撤銷 — 已於現有 e 通訊設為無效及隱藏，並不會轉移至 e 通訊 2.0（此為本次轉移的安排，並非常問問題所載）；如有疑問請聯絡香港交易所 e 通訊支援組：',
    notRetired: '最終並未撤銷 — 暫時仍可經現有 e 通訊使用：',
  },
};

function outcomeLines(
  lang: 'en' | 'zh',
  folders: NoticeFolder[],
  section: (heading: string, list: NoticeFolder[], detail?: (f: NoticeFolder) => string | null) => void,
  inputDateLine: (f: NoticeFolder) => string | null,
): void {
  const h = OUTCOME_HEADINGS[lang];
  const of = (o: FolderOutcome) => folders.filter((f) => f.outcome === o);
  section(
    h.movedSubmit,
    of('moved').filter((f) => !isDownload(f)),
    inputDateLine,
  );
  section(h.movedDownload, of('moved').filter(isDownload));
  section(h.notMoved, of('not_moved'));
  section(h.retired, of('retired'));
  section(h.notRetired, of('not_retired'));
}

/** The firm's folders: submission folders (with their Input Date), download folders, retired folders, each apart. */
function folderLines(
  lang: 'en' | 'zh',
  kind: NoticeKind,
  folders: NoticeFolder[],
  withInputDate: boolean,
): string[] {
  const h = HEADINGS[lang];
  const legacy = STAYS_ON_LEGACY.includes(kind);
  const moving = folders.filter((f) => !f.retired);
  const name = (f: NoticeFolder) => (lang === 'en' ? f.nameEn : f.nameZh || f.nameEn);
  const lines: string[] = [];
  const section = (
    heading: string,
    list: NoticeFolder[],
    detail: (f: NoticeFolder) => string | null = () => null,
  ) => {
    if (!list.length) return;
    lines.push(heading);
    for (const f of list) {
      lines.push(`  - ${f.code}  ${name(f)}`);
      const more = detail(f);
      if (more) lines.push(`      ${more}`);
    }
    lines.push('');
  };
  const inputDateLine = (f: NoticeFolder) => {
    const d = inputDate(f);
    return (
      d && (lang === 'en' ? `Input Date: ${d}` : `Input Date（請參照用戶使用指南附錄，只供英文版）：${d}`)
    );
  };
  if (kind === 'batch_outcome') {
    outcomeLines(lang, folders, section, inputDateLine);
    return lines;
  }
  section(
    h.submit(legacy),
    moving.filter((f) => !isDownload(f)),
    (f) => (withInputDate ? inputDateLine(f) : null),
  );
  section(h.download(legacy), moving.filter(isDownload));
  section(
    h.retired(kind),
    folders.filter((f) => f.retired),
  );
  return lines;
}

/** A batch's end, as a firm's subject line says it: what moved, what did not, or both. */
function outcomeSubject(folders: NoticeFolder[]): { subjectEn: string; subjectZh: string } {
  const moved = folders.some((f) => f.outcome === 'moved');
  const stayed = folders.some((f) => f.outcome === 'not_moved');
  if (moved && stayed)
    return {
      subjectEn: 'some folders moved to ECP 2.0, some stay on the current ECP',
      subjectZh: '部分文件夾已轉移至 e 通訊 2.0，部分仍留在現有 e 通訊',
    };
  if (moved) return { subjectEn: 'folders now on ECP 2.0', subjectZh: '文件夾已轉移至 e 通訊 2.0' };
  if (stayed)
    return {
      subjectEn: 'folders not moved: they stay on the current ECP',
      subjectZh: '文件夾並未轉移，仍留在現有 e 通訊',
    };
  return { subjectEn: 'folders retired', subjectZh: '文件夾已撤銷' };
}

export function renderNotice(ctx: NoticeContext): { subject: string; text: string } {
  const retireOnly = ctx.folders.length > 0 && ctx.folders.every((f) => f.retired);
  const text = (retireOnly && RETIRE_ONLY[ctx.kind]) || TEXT[ctx.kind];
  const t = ctx.kind === 'batch_outcome' ? { ...text, ...outcomeSubject(ctx.folders) } : text;
  const at = formatHk(ctx.at).replace(' HKT', '');
  const { participant: p } = ctx;
  const told = WITH_GUIDANCE.includes(ctx.kind) && !retireOnly;
  const submits = ctx.folders.some((f) => !f.retired && !isDownload(f));
  const body = (lang: 'en' | 'zh') =>
    [
      lang === 'en' ? `Dear ${p.nameEn} (${p.code}),` : `${p.nameZh || p.nameEn}（${p.code}）台鑒：`,
      '',
      lang === 'en' ? t.en(at) : t.zh(at),
      '',
      ...folderLines(lang, ctx.kind, ctx.folders, told),
      ...(told ? [...guidance(lang, submits), ''] : []),
      lang === 'en' ? 'HKEX ECP Support' : '香港交易所 e 通訊支援組',
    ].join('\n');
  const parts = p.language === 'zh-Hant' ? [body('zh'), body('en')] : [body('en'), body('zh')];
  return {
    subject: `[HKEX ECP] ${ctx.subject}: ${t.subjectEn} / ${t.subjectZh}`,
    text: parts.join('\n\n----------------------------------------\n\n') + '\n',
  };
}

/** Readiness action needed: to a firm's ECP administrators, naming what to grant for which folder. */
export function renderReadinessNotice(ctx: {
  participant: NoticeContext['participant'];
  gaps: { code: string; nameEn: string; nameZh: string; gap: ReadinessGap }[];
  /** Fewer than two ECP administrators (FAQ B.4): the firm cannot create users. */
  admins: { count: number } | null;
  subject: string;
  at: string;
}): { subject: string; text: string } {
  const at = formatHk(ctx.at).replace(' HKT', '');
  const p = ctx.participant;
  const en = [
    `Dear ECP administrator of ${p.nameEn} (${p.code}),`,
    '',
    ...(ctx.gaps.length
      ? [
          `The folders below move to ECP 2.0 at ${at} (Hong Kong time), and your firm is not ready for them yet. In Client Connect, grant the function named to at least one operator (an administrator's own rights do not open ECP 2.0, FAQ B.5; EU_ECPSFTP alone gives SFTP, not the web, FAQ B.6):`,
          '',
          ...ctx.gaps.map((g) => `  - ${g.code}  ${g.nameEn}: ${gapText(g.gap, 'en')}`),
          '',
        ]
      : []),
    ...(ctx.admins
      ? [
          `Your firm has ${ctx.admins.count} ECP administrator(s) in Client Connect. Creating or updating a user takes two, a maker and a checker (FAQ B.4): appoint another before ${at}. A change of administrators takes two forms, both sent to HKEX: the "Client Connect administrator access" application form and the "ECP user type and administrator access" application form (FAQ B.12).`,
          '',
        ]
      : []),
    'HKEX ECP Support',
  ].join('\n');
  const zh = [
    `${p.nameZh || p.nameEn}（${p.code}）e 通訊管理人士台鑒：`,
    '',
    ...(ctx.gaps.length
      ? [
          `以下文件夾將於 ${at}（香港時間）轉移至 e 通訊 2.0，惟貴公司尚未準備就緒。請於 Client Connect 為至少一位營運人士授予所列功能（管理人士的管理權限並不能進入 e 通訊 2.0，常問問題第 5 條；只授予 EU_ECPSFTP 則只可使用 SFTP，常問問題第 6 條）：`,
          '',
          ...ctx.gaps.map((g) => `  - ${g.code}  ${g.nameZh}：${gapText(g.gap, 'zh')}`),
          '',
        ]
      : []),
    ...(ctx.admins
      ? [
          `貴公司於 Client Connect 只有 ${ctx.admins.count} 位 e 通訊管理人士。創建或更新用戶帳戶須由兩位管理人士分別作為經辦及覆核（常問問題第 4 條）：請於 ${at} 前委任另一位管理人士。管理人士的改動須填妥並提交「Client Connect 管理人士權限申請／維護表格」和「e 通訊用戶類型及管理人士權限申請／維護表格」兩份表格予香港交易所（常問問題第 12 條）。`,
          '',
        ]
      : []),
    '香港交易所 e 通訊支援組',
  ].join('\n');
  const parts = p.language === 'zh-Hant' ? [zh, en] : [en, zh];
  return {
    subject: `[HKEX ECP] ${ctx.subject}: action needed before the move to ECP 2.0 / 轉移至 e 通訊 2.0 前須採取行動`,
    text: parts.join('\n\n----------------------------------------\n\n') + '\n',
  };
}
