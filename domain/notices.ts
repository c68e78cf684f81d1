import { formatHk } from './time';

/**
 * The words of the notices participants receive: one per firm per event, listing only that firm's
 * folders, in English and Traditional Chinese (the firm's preferred language first).
 */
export const NOTICE_KINDS = [
  'batch_announced', 'batch_reminder', 'folders_live', 'batch_cancelled', 'folder_switched_back', 'readiness_action_needed',
  'decommission_scheduled', 'decommission_reminder', 'legacy_decommissioned',
] as const;
/** Kinds rendered by renderNotice (readiness notices have their own renderer). */
export type NoticeKind = Exclude<(typeof NOTICE_KINDS)[number], 'readiness_action_needed'>;
/** queued → sending → sent | failed; `withdrawn`: queued for a batch that was stopped, never sent. */
export const NOTICE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'withdrawn'] as const;

export interface NoticeFolder {
  code: string;
  nameEn: string;
  nameZh: string;
}

export interface NoticeContext {
  kind: NoticeKind;
  participant: { code: string; nameEn: string; nameZh: string; language: 'en' | 'zh-Hant' | 'both' };
  folders: NoticeFolder[];
  /** The batch (or folder) the notice is about, and when it moves / moved. */
  subject: string;
  at: string;
}

const ECP2 = 'https://ecp2.hkex.com.hk';

const TEXT: Record<NoticeKind, { subjectEn: string; subjectZh: string; en: (at: string) => string; zh: (at: string) => string }> = {
  batch_announced: {
    subjectEn: 'submission folders move to ECP 2.0',
    subjectZh: '提交文件夾轉移至 e 通訊 2.0',
    en: (at) => `HKEX will move the submission folders below from the current ECP to ECP 2.0 at ${at} (Hong Kong time). From then on, submit these files on ECP 2.0 only (${ECP2}); on the current ECP the folders will be disabled and hidden. Please make sure that your users hold the right ECP functions in Client Connect before then.`,
    zh: (at) => `香港交易所將於 ${at}（香港時間）把以下提交文件夾由現有 e 通訊轉移至 e 通訊 2.0。屆時請只經 e 通訊 2.0（${ECP2}）提交相關文件；現有 e 通訊上的相同文件夾將被設為無效及隱藏。請確保貴公司用戶已於 Client Connect 獲授予正確的 e 通訊功能。`,
  },
  batch_reminder: {
    subjectEn: 'reminder: folders move to ECP 2.0 on the next business day',
    subjectZh: '提示：文件夾將於下一個營業日轉移至 e 通訊 2.0',
    en: (at) => `Reminder: the submission folders below move from the current ECP to ECP 2.0 at ${at} (Hong Kong time). Submissions made while a folder is being moved are refused with a message telling you where to submit; nothing is lost.`,
    zh: (at) => `提示：以下提交文件夾將於 ${at}（香港時間）由現有 e 通訊轉移至 e 通訊 2.0。轉移期間提交的文件會被拒絕，系統會提示應於哪個平台提交；不會遺失任何文件。`,
  },
  folders_live: {
    subjectEn: 'folders now on ECP 2.0',
    subjectZh: '文件夾已轉移至 e 通訊 2.0',
    en: (at) => `The submission folders below are on ECP 2.0 since ${at} (Hong Kong time). Submit these files on ECP 2.0 only (${ECP2}); on the current ECP they are disabled and hidden (FAQ D.27). Appendix 7.3 of the ECP 2.0 user guide lists every folder that has moved.`,
    zh: (at) => `以下提交文件夾已於 ${at}（香港時間）轉移至 e 通訊 2.0。請只經 e 通訊 2.0（${ECP2}）提交相關文件；現有 e 通訊上的相同文件夾已被設為無效及隱藏（常問問題第 27 條）。已轉移的文件夾載於 e 通訊 2.0 用戶使用指南附錄 7.3。`,
  },
  decommission_scheduled: {
    subjectEn: 'legacy ECP will be switched off',
    subjectZh: '現有 e 通訊將停用',
    en: (at) => `Legacy ECP will be switched off at ${at} (Hong Kong time), once every submission folder has moved to ECP 2.0 (FAQ E.30). From then on, use ECP 2.0 only (${ECP2}).`,
    zh: (at) => `現有 e 通訊將於 ${at}（香港時間）停用（所有提交文件夾轉移至 e 通訊 2.0 後，常問問題第 30 條）。其後請只使用 e 通訊 2.0（${ECP2}）。`,
  },
  decommission_reminder: {
    subjectEn: 'reminder: legacy ECP will be switched off',
    subjectZh: '提示：現有 e 通訊將停用',
    en: (at) => `Reminder: legacy ECP will be switched off at ${at} (Hong Kong time). Please make sure that your users can log in to ECP 2.0 through Client Connect.`,
    zh: (at) => `提示：現有 e 通訊將於 ${at}（香港時間）停用。請確保貴公司用戶能經 Client Connect 登入 e 通訊 2.0。`,
  },
  legacy_decommissioned: {
    subjectEn: 'legacy ECP has been switched off',
    subjectZh: '現有 e 通訊已停用',
    en: (at) => `Legacy ECP was switched off at ${at} (Hong Kong time). Every submission is now made on ECP 2.0 (${ECP2}).`,
    zh: (at) => `現有 e 通訊已於 ${at}（香港時間）停用。所有文件請經 e 通訊 2.0（${ECP2}）提交。`,
  },
  batch_cancelled: {
    subjectEn: 'called off: folders stay on the current ECP',
    subjectZh: '取消：文件夾仍留在現有 e 通訊',
    en: (at) => `The move of the submission folders below to ECP 2.0, announced for ${at} (Hong Kong time), has been called off. Keep submitting these files on the current ECP; nothing changes for them. A new date will be announced separately.`,
    zh: (at) => `原定於 ${at}（香港時間）把以下提交文件夾轉移至 e 通訊 2.0 的安排已經取消。請繼續經現有 e 通訊提交相關文件，安排維持不變。新日期將另行公布。`,
  },
  folder_switched_back: {
    subjectEn: 'folder switched back to the current ECP',
    subjectZh: '文件夾已轉回現有 e 通訊',
    en: (at) => `The submission folders below were moved back from ECP 2.0 to the current ECP at ${at} (Hong Kong time). Until further notice, submit these files on the current ECP.`,
    zh: (at) => `以下提交文件夾已於 ${at}（香港時間）由 e 通訊 2.0 轉回現有 e 通訊。在另行通知前，請經現有 e 通訊提交相關文件。`,
  },
};

export function renderNotice(ctx: NoticeContext): { subject: string; text: string } {
  const t = TEXT[ctx.kind];
  const at = formatHk(ctx.at).replace(' HKT', '');
  const { participant: p } = ctx;
  const en = [
    `Dear ${p.nameEn} (${p.code}),`,
    '',
    t.en(at),
    '',
    ...ctx.folders.map((f) => `  - ${f.code}  ${f.nameEn}`),
    ...(ctx.folders.length ? [''] : []),
    'HKEX ECP Support',
  ].join('\n');
  const zh = [
    `${p.nameZh || p.nameEn}（${p.code}）台鑒：`,
    '',
    t.zh(at),
    '',
    ...ctx.folders.map((f) => `  - ${f.code}  ${f.nameZh}`),
    ...(ctx.folders.length ? [''] : []),
    '香港交易所 e 通訊支援組',
  ].join('\n');
  const parts = p.language === 'zh-Hant' ? [zh, en] : [en, zh];
  return {
    subject: `[HKEX ECP] ${ctx.subject}: ${t.subjectEn} / ${t.subjectZh}`,
    text: parts.join('\n\n----------------------------------------\n\n') + '\n',
  };
}

/** Readiness action needed: to a firm's ECP administrators, naming what to grant for which folder. */
export function renderReadinessNotice(ctx: {
  participant: NoticeContext['participant'];
  gaps: { code: string; nameEn: string; nameZh: string; missing: string }[];
  subject: string;
  at: string;
}): { subject: string; text: string } {
  const at = formatHk(ctx.at).replace(' HKT', '');
  const p = ctx.participant;
  const en = [
    `Dear ECP administrator of ${p.nameEn} (${p.code}),`,
    '',
    `The folders below move to ECP 2.0 at ${at} (Hong Kong time), and your firm is not ready for them yet. In Client Connect, grant the function named to at least one operator (an administrator's own rights do not open ECP 2.0, FAQ B.5; EU_ECPSFTP alone gives SFTP, not the web, FAQ B.6):`,
    '',
    ...ctx.gaps.map((g) => `  - ${g.code}  ${g.nameEn}: ${g.missing}`),
    '',
    'HKEX ECP Support',
  ].join('\n');
  const zh = [
    `${p.nameZh || p.nameEn}（${p.code}）e 通訊管理人士台鑒：`,
    '',
    `以下文件夾將於 ${at}（香港時間）轉移至 e 通訊 2.0，惟貴公司尚未準備就緒。請於 Client Connect 為至少一位營運人士授予所列功能（管理人士的管理權限並不能進入 e 通訊 2.0，常問問題第 5 條；只授予 EU_ECPSFTP 則只可使用 SFTP，常問問題第 6 條）：`,
    '',
    ...ctx.gaps.map((g) => `  - ${g.code}  ${g.nameZh}: ${g.missing}`),
    '',
    '香港交易所 e 通訊支援組',
  ].join('\n');
  const parts = p.language === 'zh-Hant' ? [zh, en] : [en, zh];
  return {
    subject: `[HKEX ECP] ${ctx.subject}: action needed before the move to ECP 2.0 / 轉移至 e 通訊 2.0 前須採取行動`,
    text: parts.join('\n\n----------------------------------------\n\n') + '\n',
  };
}
