import { describe, expect, it } from 'vitest';
import {
  renderNotice,
  renderReadinessNotice,
  type NoticeFolder,
  type NoticeKind,
} from '../../domain/notices';

const SD1: NoticeFolder = {
  code: 'SD1',
  nameEn: 'Stamp Duty Daily Return (SD-1)',
  nameZh: '印花稅每日申報表 (SD-1)',
  direction: 'submit',
  inputDateMeaning: 'Trade date (T); must equal date in filename else error 4505',
};
const CSCTRD: NoticeFolder = {
  code: 'CSCTRD',
  nameEn: 'CSC Trade File',
  nameZh: '中華通交易檔案',
  direction: 'download',
  inputDateMeaning: 'CSC trading day',
};
const firm = {
  code: '09999',
  nameEn: 'Example Securities Ltd',
  nameZh: '範例證券有限公司',
  language: 'en' as const,
};

const render = (kind: NoticeKind, folders: NoticeFolder[] = [SD1, CSCTRD]) =>
  renderNotice({ kind, participant: firm, folders, subject: 'Batch B1', at: '2022-06-06T00:00:00Z' });
/** The English and the Chinese halves of a notice. */
const halves = (text: string) => text.split('----------------------------------------').map((s) => s.trim());

// What a firm must be told before its folders move (FAQ A.1–A.3, B.8, C.23–C.26), as [what, English, Chinese].
const REQUIRED: [string, RegExp, RegExp][] = [
  [
    'A.1 Client Connect ID, password and one-time password',
    /Client Connect login ID, password and one-time password/,
    /Client Connect 的登入帳號、密碼及一次性密碼/,
  ],
  [
    'A.1 old ECP logins do not work',
    /current ECP logins do not work/,
    /現有 e 通訊的存取憑證不能用於 e 通訊 2\.0/,
  ],
  [
    'A.2 Chrome or Edge 88+, not iPhone/iPad',
    /Chrome or Edge, version 88 or later.*iPhone and iPad are not supported/,
    /Chrome 或 Edge 88 或以上版本.*iPhone 及 iPad 並不支援/,
  ],
  [
    'A.3 enter through the ECP 2.0 address',
    /enter through https:\/\/ecp2\.hkex\.com\.hk.*never through a bookmarked Client Connect login page/,
    /經 https:\/\/ecp2\.hkex\.com\.hk.*切勿經已收藏的 Client Connect 登入版面進入/,
  ],
  [
    "C.23 the folder's Input Date",
    /SD1 {2}Stamp Duty Daily Return \(SD-1\)\n {6}Input Date: Trade date \(T\)\n/,
    /SD1 {2}印花稅每日申報表 \(SD-1\)\n {6}Input Date（.*）：Trade date \(T\)\n/,
  ],
  ['C.24 error 4505', /wrong Input Date is refused with error 4505/, /錯誤碼為 4505/],
  [
    'C.25 same name overwrites',
    /same name: it overwrites the earlier one/,
    /重新提交同樣名稱的文件，系統會自動覆蓋之前的文件/,
  ],
  [
    'C.26 SHA-256 in Activity Enquiry',
    /SHA-256 checksum with the one shown in Activity Enquiry/,
    /SHA-256 Checksum 與查詢用戶活動（Activity Enquiry）/,
  ],
  [
    'B.8 the form for firms not on Client Connect',
    /not yet a Client Connect user, send the "ECP user type and administrator access" application form/,
    /不是現有 Client Connect 用戶，請填妥並提交「e 通訊用戶類型及管理人士權限申請／維護表格」/,
  ],
];

describe('notices', () => {
  for (const kind of ['batch_announced', 'batch_reminder'] as const) {
    for (const [what, en, zh] of REQUIRED) {
      it(`${kind} tells ${what}, in English and in Chinese`, () => {
        const [first, second] = halves(render(kind).text);
        expect(first).toMatch(en);
        expect(second).toMatch(zh);
      });
    }
  }

  it('a download folder is listed to download, never to submit, and has no Input Date line; a notice that keeps folders on legacy says so', () => {
    for (const kind of ['batch_announced', 'batch_reminder', 'folders_live'] as const) {
      const [en, zh] = halves(render(kind).text);
      expect(en, kind).toMatch(
        /Download folders \(download from ECP 2\.0; nothing is submitted to them\):\n {2}- CSCTRD {2}CSC Trade File\n\n/,
      );
      expect(zh, kind).toMatch(
        /下載文件夾（經 e 通訊 2\.0 下載，不接受提交）：\n {2}- CSCTRD {2}中華通交易檔案\n\n/,
      );
      expect(en, kind).toMatch(/Submission folders \(submit on ECP 2\.0\):\n {2}- SD1 /);
      expect(en, kind).not.toContain('CSC trading day');
    }
    for (const kind of ['batch_cancelled', 'folder_switched_back'] as const) {
      const [en, zh] = halves(render(kind).text);
      expect(en, kind).toMatch(/Submission folders \(keep submitting on the current ECP\):\n {2}- SD1 /);
      expect(en, kind).toMatch(/Download folders \(keep downloading from the current ECP\):\n {2}- CSCTRD /);
      expect(zh, kind).toMatch(/提交文件夾（請繼續經現有 e 通訊提交）：/);
      expect(en, kind).not.toMatch(/submit on ECP 2\.0|download from ECP 2\.0/);
    }
  });

  it('a firm with only download folders is not told about Input Dates, overwrites or checksums', () => {
    const [en, zh] = halves(render('batch_announced', [CSCTRD]).text);
    expect(en).not.toMatch(/Submission folders|4505|overwrites|SHA-256/);
    expect(zh).not.toMatch(/提交文件夾|4505|覆蓋|SHA-256/);
    expect(en).toMatch(/one-time password/);
    expect(en).toMatch(/ {2}4\. If your firm is not yet a Client Connect user/);
  });

  it('notices after the move do not repeat the checklist; a firm preferring Chinese reads Chinese first', () => {
    expect(render('folders_live').text).not.toContain('one-time password');
    const zhFirst = renderNotice({
      kind: 'folders_live',
      participant: { ...firm, language: 'zh-Hant' },
      folders: [SD1],
      subject: 'Batch B1',
      at: '2022-06-06T00:00:00Z',
    });
    expect(zhFirst.text.indexOf('台鑒')).toBeLessThan(zhFirst.text.indexOf('Dear'));
    expect(zhFirst.subject).toBe('[HKEX ECP] Batch B1: folders now on ECP 2.0 / 文件夾已轉移至 e 通訊 2.0');
  });

  it('a firm whose only folder in the batch is retired is told of a retirement, not of a move', () => {
    const SDPDF: NoticeFolder = {
      code: 'SDPDF',
      nameEn: 'Legacy Stamp Duty Report (scanned PDF)',
      nameZh: '印花稅報告(掃描本)',
      direction: 'submit',
      inputDateMeaning: 'Trade date',
      retired: true,
    };
    const announced = render('batch_announced', [SDPDF]);
    const [en, zh] = halves(announced.text);
    expect(announced.subject).toContain('folders retired on the current ECP / 現有 e 通訊文件夾撤銷');
    expect(en).toMatch(
      /HKEX will retire the folders below: they will be disabled and hidden on the current ECP and will not move to ECP 2\.0/,
    );
    expect(en).toMatch(
      /Folders to be retired \(closed and hidden on the current ECP at that time, not moved to ECP 2\.0[^\n]*\n {2}- SDPDF /,
    );
    expect(zh).toMatch(/撤銷以下文件夾/);
    expect(en).not.toMatch(/Submission folders|one-time password|Input Date/);
    const [live] = halves(render('folders_live', [SDPDF]).text);
    expect(live).toMatch(
      /the folders below are retired: disabled and hidden on the current ECP; they did not move to ECP 2\.0/,
    );
    expect(live).toMatch(
      /Retired folders \(closed and hidden on the current ECP, not moved to ECP 2\.0: no platform takes them any more/,
    );
    const [off] = halves(render('batch_cancelled', [SDPDF]).text);
    expect(off).toMatch(
      /Folders that were to be retired \(the retirement is called off: they stay open on the current ECP\):\n {2}- SDPDF /,
    );
  });

  it('the readiness notice tells a firm with one administrator to appoint another (FAQ B.4) with both forms (FAQ B.12), in both languages', () => {
    const { text } = renderReadinessNotice({
      participant: firm,
      gaps: [],
      admins: { count: 1 },
      subject: 'Batch B1',
      at: '2022-06-06T00:00:00Z',
    });
    const [en, zh] = halves(text);
    expect(en).toMatch(
      /has 1 ECP administrator\(s\).*takes two, a maker and a checker \(FAQ B\.4\): appoint another/,
    );
    expect(en).toMatch(
      /the "Client Connect administrator access" application form and the "ECP user type and administrator access" application form \(FAQ B\.12\)/,
    );
    expect(zh).toMatch(/只有 1 位 e 通訊管理人士.*經辦及覆核/);
    expect(zh).toMatch(
      /「Client Connect 管理人士權限申請／維護表格」和「e 通訊用戶類型及管理人士權限申請／維護表格」兩份表格.*（常問問題第 12 條）/,
    );
    expect(en).not.toContain('grant the function');
  });

  it('words each gap in the language of its half: the Chinese half carries no English gap text', () => {
    const gaps = [
      {
        code: 'SD1',
        nameEn: 'Stamp Duty Return',
        nameZh: '印花稅申報表',
        gap: { kind: 'no_function', fn: 'EU_ECPCASH' },
      },
      {
        code: 'SD2',
        nameEn: 'Stamp Duty Overdue',
        nameZh: '印花稅逾期申報表',
        gap: { kind: 'no_sftp_user', folder: 'SD2', fn: 'EU_ECPCASH' },
      },
      {
        code: 'CSCMAP',
        nameEn: 'CSC Stock Code Mapping File',
        nameZh: '中華通股份代號對照檔',
        gap: { kind: 'no_web_function' },
      },
    ] as const;
    const { text } = renderReadinessNotice({
      participant: firm,
      gaps: [...gaps],
      admins: null,
      subject: 'Batch B1',
      at: '2022-06-06T00:00:00Z',
    });
    const [en, zh] = halves(text);
    expect(en).toMatch(
      /- SD1 {2}Stamp Duty Return: no user holds EU_ECPCASH: an ECP administrator grants it/,
    );
    expect(en).toMatch(
      /- SD2 {2}Stamp Duty Overdue: chose SFTP for SD2 on ECP 2\.0 .* no single user holds EU_ECPSFTP and EU_ECPCASH/,
    );
    expect(en).toMatch(/- CSCMAP {2}CSC Stock Code Mapping File: no user holds any ECP function for the web/);
    const zhGaps = zh.split('\n').filter((l) => l.startsWith('  - '));
    expect(zhGaps).toHaveLength(3);
    expect(zhGaps[0]).toMatch(
      /^ {2}- SD1 {2}印花稅申報表：並無用戶持有 EU_ECPCASH：請由 e 通訊管理人士於 Client Connect 授予/,
    );
    expect(zhGaps[1]).toMatch(/EU_ECPSFTP 及 EU_ECPCASH 並已登記公鑰及 IP 地址/);
    // Once the folder codes, function names, "Client Connect", "SFTP", "IP" and "ECP" are taken out, no Latin word is left.
    for (const line of zhGaps)
      expect(line.replace(/Client Connect|e 通訊|[A-Z0-9_.]+/g, '')).not.toMatch(/[a-z]{2,}/i);
  });
});

describe('the outcome of a batch, per folder', () => {
  const SD2: NoticeFolder = {
    ...SD1,
    code: 'SD2',
    nameEn: 'Stamp Duty Overdue Return (SD-2)',
    nameZh: '印花稅逾期申報表 (SD-2)',
  };
  const outcome = (folders: NoticeFolder[]) =>
    renderNotice({
      kind: 'batch_outcome',
      participant: firm,
      folders,
      subject: 'Batch B1',
      at: '2022-06-06T00:00:00Z',
    });

  it('says, in both languages, which folders moved (submit on ECP 2.0) and which did not (keep using the current ECP, a new date to come)', () => {
    const n = outcome([
      { ...SD1, outcome: 'moved' },
      { ...CSCTRD, outcome: 'moved' },
      { ...SD2, outcome: 'not_moved' },
    ]);
    expect(n.subject).toBe(
      '[HKEX ECP] Batch B1: some folders moved to ECP 2.0, some stay on the current ECP / 部分文件夾已轉移至 e 通訊 2.0，部分仍留在現有 e 通訊',
    );
    const [en, zh] = halves(n.text);
    expect(en).toMatch(
      /^Moved to ECP 2\.0 — submission folders: submit them on ECP 2\.0 only from now on; [^\n]*\(FAQ D\.27\):\n {2}- SD1 [^\n]*\n {6}Input Date: Trade date \(T\)\n\n/m,
    );
    expect(en).toMatch(
      /^Moved to ECP 2\.0 — download folders: download from ECP 2\.0 [^\n]*\n {2}- CSCTRD /m,
    );
    expect(en).toMatch(
      /^Not moved — keep using these on the current ECP, as before \(FAQ D\.27\); their new date will be announced \(FAQ D\.28\):\n {2}- SD2 {2}Stamp Duty Overdue Return/m,
    );
    expect(zh).toMatch(
      /^並未轉移 — 請如常繼續經現有 e 通訊使用[^\n]*\n {2}- SD2 {2}印花稅逾期申報表 \(SD-2\)/m,
    );
    expect(zh).toMatch(/^已轉移至 e 通訊 2\.0 — 提交文件夾[^\n]*\n {2}- SD1 {2}印花稅每日申報表/m);
    // The Chinese half is Chinese: no English sentence in it (codes, the catalog's Input Date lines — the user
    // guide's appendix is English only — and names the catalog has only in English aside).
    expect(
      zh.replace(/^.*Input Date.*$/gm, '').replace(/ECP|\(SD-\d\)|CSC Trade File|SD\d|CSCTRD/g, ''),
    ).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('has a subject for each case: all moved, none moved, only retired', () => {
    expect(outcome([{ ...SD1, outcome: 'moved' }]).subject).toMatch(
      /folders now on ECP 2\.0 \/ 文件夾已轉移至 e 通訊 2\.0$/,
    );
    expect(outcome([{ ...SD1, outcome: 'not_moved' }]).subject).toMatch(
      /folders not moved: they stay on the current ECP/,
    );
    const retired = outcome([{ ...SD1, retired: true, outcome: 'retired' }]);
    expect(retired.subject).toMatch(/folders retired/);
    expect(halves(retired.text)[0]).toMatch(
      /^Retired as planned — [^\n]*\(a rule of this cutover, not of the FAQ\)[^\n]*\n {2}- SD1 /m,
    );
  });
});
