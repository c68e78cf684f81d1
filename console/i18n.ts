/**
 * The console's words in English and Traditional Chinese. Codes, ids, names of people and firms, and the
 * messages of the rules (which the CLI prints too) stay as they are; everything the console itself says is here.
 */
export type Lang = 'en' | 'zh-Hant';
export const isLang = (v: unknown): v is Lang => v === 'en' || v === 'zh-Hant';

const en = {
  appName: 'ECP cutover console',
  skip: 'Skip to content',
  otherLang: '繁體中文',
  nav: { batches: 'Batches', plan: 'Plan a batch', folders: 'Folders', participants: 'Participants', decommission: 'Decommission', events: 'Events' },
  signedInAs: (who: string, roles: string) => `Signed in as ${who} (${roles})`,
  signOut: 'Sign out',
  signIn: {
    title: 'Sign in', token: 'Operator token', tokenHelp: "The token 'ecp-cutover operator add' printed for you (ecp_…).", submit: 'Sign in',
    oidc: 'Sign in with the identity provider', refused: 'That token was not accepted: check it, or ask for a new one.', expired: 'Your session ended (signed out, or idle too long): sign in again.',
    noRole: 'You hold no role in the console: ask an administrator for one.', stale: 'The sign-in form was out of date: try again.',
  },
  hkt: 'all times Hong Kong (HKT)',
  col: {
    batch: 'Batch', name: 'Name', status: 'Status', next: 'Next', planned: 'Planned for', folders: 'Folders', requestedBy: 'Planned by', approvedBy: 'Approved by',
    folder: 'Folder', code: 'Code', step: 'Step', freeze: 'Freeze window', failure: 'Failure', market: 'Market', placement: 'Where it lives', since: 'Since',
    affected: 'Affected firms', notReady: 'Not ready', missing: 'What is missing / what to tell the firm', ready: 'Ready', at: 'When', actor: 'Who', what: 'What', from: 'From', to: 'To', reason: 'Reason',
    email: 'User', role: 'Role', functions: 'Functions', sftp: 'SFTP key and IP', kind: 'Notice', recipients: 'To', sentAt: 'Sent', item: 'Check', result: 'Result', detail: 'Detail',
    participant: 'Participant', userTypes: 'User types', run: 'Run', started: 'Started', finished: 'Finished',
  },
  none: 'None.',
  yes: 'yes', no: 'no',
  batches: { title: 'Batches', empty: 'No batch planned yet.', plannedFor: (at: string) => `planned for ${at}`, startedAt: (at: string) => `started ${at}`, finishedAt: (at: string) => `finished ${at}` },
  batch: {
    title: (id: string) => `Batch ${id}`, plan: 'Plan', progress: 'Progress', retires: 'Retired folders it closes on legacy', actions: 'Actions', live: 'Updates by itself while the batch runs.',
    approveReview: 'Review and approve', notYours: 'You planned this batch: a second operator approves it.', noActions: 'Nothing you can do to this batch now.',
    reject: 'Reject', reason: 'Reason', pause: 'Pause', resume: 'Resume', abort: 'Abort', override: 'Let it run despite readiness', reschedule: 'Reschedule', newAt: 'New time (YYYY-MM-DD HH:mm, HKT)',
    minNotice: 'Notice period (e.g. 7d; empty: the default)', allowOffDay: 'Allow a non-business day', failurePolicy: 'On a folder failure', concurrency: 'Folders at once',
    report: 'Report', reportTitle: (id: string) => `Report of batch ${id}`,
    rehearsals: 'Rehearsals', rehearse: 'Rehearse now (against the rehearsal environment)',
    rehearseNote: "Runs this batch's folder moves now against the platforms' rehearsal environment: the live platforms, the folders' placement, the portal and the firms are not touched; the notices go to the platform team only.",
    rehearsalReport: 'report',
  },
  approve: {
    title: (id: string) => `Approve batch ${id}?`, lead: 'You approve exactly this: these folders, at this instant, for these firms. If the plan changes after you looked, the approval is refused.',
    instant: 'Moves at', firms: 'Firms affected', gaps: 'Readiness gaps', steps: 'What happens to each folder', button: 'Approve this batch', notReadyFirms: 'Firms not ready (first ones)', dryRun: 'Dry run',
  },
  planForm: {
    title: 'Plan a batch', id: 'Batch id', idHelp: '1-32 letters, digits, _ or -', name: 'Name', at: 'Moves at', atHelp: 'YYYY-MM-DD HH:mm Hong Kong time (or an ISO instant)',
    folders: 'Folders to move', foldersHelp: 'Folder codes, separated by commas or spaces', retire: 'Retired folders to close on legacy', retireHelp: 'Optional: folder codes the catalog retires (a rule of this tool, not the FAQ\'s)',
    onFailure: 'On a folder failure', continue: 'continue with the others', halt: 'halt the batch', concurrency: 'Folders at once', minNotice: 'Notice period', minNoticeHelp: 'e.g. 7d; empty: the configured one',
    allowOffDay: 'Allow a non-business day', maxNotReady: 'Most firms not ready', maxNotReadyHelp: 'e.g. 10 or 5%; empty: no limit', preview: 'Preview (dry run)', submit: 'Plan the batch',
    previewTitle: 'Dry run of this plan', previewOk: 'No problem found: planning it asks a second operator to approve it.', problems: (n: number) => `${n} problem(s): fix them and preview again.`,
  },
  folders: { title: 'Folders', all: 'All', filter: 'Show' },
  folder: {
    title: (code: string) => `Folder ${code}`, timeline: 'Timeline', runs: 'Runs', drifts: 'Drift found by the reconciler', plannedIn: 'Planned in batch',
    switchBack: 'Switch back to legacy ECP', switchBackHelp: 'A second operator approves it; the firms are told.', request: 'Request', pending: 'Awaiting approval',
    pendingLine: (kind: string, by: string, at: string) => `${kind} requested by ${by} at ${at}`, approve: 'Approve', reject: 'Reject', repair: 'Supervised repair', repairTo: 'Repair to', more: 'Older events',
    kinds: { switch_back: 'Switch-back', repair: 'Repair' } as Record<string, string>,
  },
  participants: { title: 'Participants', search: 'Participant code or name', find: 'Find', results: (n: number) => `${n} firm(s) found`, empty: 'No firm matches.' },
  participant: {
    title: (code: string, name: string) => `${code} ${name}`, folders: 'Folders and where each lives', users: 'Users and the functions they hold', usersFrom: (src: string) => `read from ${src}`,
    notices: 'Notices sent to the firm', attempts: 'Delivery attempts', adminWarning: 'Administrators', disagrees: 'Client Connect and the imported directory disagree; Client Connect is shown.',
  },
  decommission: {
    title: 'Decommission of legacy ECP', notScheduled: 'Not scheduled yet.', gate: 'The gate (every check must pass)', gateNow: 'As it stands now; the decommission checks it again at its date and waits while anything blocks.',
    checkedAt: (at: string) => `As the decommission checked it at ${at}`,
    schedule: 'Schedule', approve: 'Approve the decommission', reschedule: 'Reschedule', at: 'Date and time (YYYY-MM-DD HH:mm, HKT)', reminders: 'Notices and reminders',
    reminderOn: (at: string) => `every firm reminded on ${at}`, firmsTold: (n: number) => `${n} firm(s) told`,
    pass: 'pass', block: 'blocks',
  },
  events: { title: 'Events', filter: 'Filter', by: 'By', any: 'everything', older: 'Older', newer: 'Newer', page: (n: number) => `page ${n}`, empty: 'No events.' },
  done: {
    planned: 'Batch planned: a second operator approves it now.', approved: 'Approved.', rejected: 'Rejected.', paused: 'Paused.', resumed: 'Resumed.', aborted: 'Abort requested.', overridden: 'Readiness overridden.',
    rescheduled: 'Rescheduled: it needs a new approval.', requested: 'Requested: a second operator approves it.', scheduled: 'Scheduled: a second operator approves it.', done: 'Done.',
    rehearsing: 'Rehearsal started: it runs now against the rehearsal environment; its result appears under Rehearsals.',
  } as Record<string, string>,
  error: { title: 'Refused', csrf: 'This form was out of date or did not come from this console: reload the page and try again.', notFound: 'No such page.', internal: 'The console failed; the operators of the tool can find the details in its log.' },
  status: {} as Record<string, string>,
};

const zh: typeof en = {
  appName: 'e 通訊轉移控制台',
  skip: '跳至內容',
  otherLang: 'English',
  nav: { batches: '批次', plan: '規劃批次', folders: '文件夾', participants: '參與者', decommission: '停用舊平台', events: '事件記錄' },
  signedInAs: (who, roles) => `已登入：${who}（${roles}）`,
  signOut: '登出',
  signIn: {
    title: '登入', token: '操作員權杖', tokenHelp: '由「ecp-cutover operator add」為你發出的權杖（ecp_…）。', submit: '登入',
    oidc: '以身份提供者登入', refused: '權杖不獲接納：請檢查，或申請新權杖。', expired: '工作階段已結束（已登出或閒置過久）：請重新登入。',
    noRole: '你在控制台沒有任何角色：請向管理員申請。', stale: '登入表格已過期：請再試一次。',
  },
  hkt: '所有時間均為香港時間（HKT）',
  col: {
    batch: '批次', name: '名稱', status: '狀態', next: '下一步', planned: '預定時間', folders: '文件夾', requestedBy: '規劃人', approvedBy: '批准人',
    folder: '文件夾', code: '代號', step: '步驟', freeze: '凍結時間', failure: '失敗原因', market: '市場', placement: '所在平台', since: '自',
    affected: '受影響公司', notReady: '未準備就緒', missing: '欠缺甚麼／應告知公司甚麼', ready: '就緒', at: '時間', actor: '執行者', what: '內容', from: '由', to: '至', reason: '原因',
    email: '用戶', role: '角色', functions: '功能', sftp: 'SFTP 密鑰及 IP', kind: '通知', recipients: '收件人', sentAt: '發送時間', item: '檢查', result: '結果', detail: '詳情',
    participant: '參與者', userTypes: '用戶類別', run: '執行', started: '開始', finished: '完成',
  },
  none: '沒有。',
  yes: '是', no: '否',
  batches: { title: '批次', empty: '尚未規劃任何批次。', plannedFor: (at) => `預定於 ${at}`, startedAt: (at) => `於 ${at} 開始`, finishedAt: (at) => `於 ${at} 完成` },
  batch: {
    title: (id) => `批次 ${id}`, plan: '計劃', progress: '進度', retires: '於舊平台關閉的撤銷文件夾', actions: '操作', live: '批次執行期間會自動更新。',
    approveReview: '審閱並批准', notYours: '此批次由你規劃：須由另一名操作員批准。', noActions: '你現時不能對此批次作任何操作。',
    reject: '拒絕', reason: '原因', pause: '暫停', resume: '繼續', abort: '中止', override: '不理會準備情況繼續執行', reschedule: '改期', newAt: '新時間（YYYY-MM-DD HH:mm，香港時間）',
    minNotice: '通知期（例如 7d；留空：預設）', allowOffDay: '容許非營業日', failurePolicy: '文件夾失敗時', concurrency: '同時處理的文件夾數目',
    report: '報告', reportTitle: (id) => `批次 ${id} 報告`,
    rehearsals: '預演', rehearse: '立即預演（於預演環境）',
    rehearseNote: '即時於平台的預演環境執行此批次的文件夾轉移：不會影響正式平台、文件夾位置、網站或任何公司；通知只會寄往平台團隊。',
    rehearsalReport: '報告',
  },
  approve: {
    title: (id) => `批准批次 ${id}？`, lead: '你所批准的正是：這些文件夾、這個時間、這些公司。若計劃於你審閱後有所更改，批准將被拒絕。',
    instant: '轉移時間', firms: '受影響公司', gaps: '準備情況不足', steps: '每個文件夾的步驟', button: '批准此批次', notReadyFirms: '未準備就緒的公司（首數間）', dryRun: '模擬執行',
  },
  planForm: {
    title: '規劃批次', id: '批次編號', idHelp: '1-32 個英文字母、數字、_ 或 -', name: '名稱', at: '轉移時間', atHelp: 'YYYY-MM-DD HH:mm 香港時間（或 ISO 時間）',
    folders: '要轉移的文件夾', foldersHelp: '文件夾代號，以逗號或空格分隔', retire: '於舊平台關閉的撤銷文件夾', retireHelp: '選填：目錄中撤銷的文件夾代號（此為本工具的規則，並非常問問題所載）',
    onFailure: '文件夾失敗時', continue: '繼續處理其他文件夾', halt: '停止整個批次', concurrency: '同時處理的文件夾數目', minNotice: '通知期', minNoticeHelp: '例如 7d；留空：使用設定值',
    allowOffDay: '容許非營業日', maxNotReady: '最多未準備就緒的公司', maxNotReadyHelp: '例如 10 或 5%；留空：不設上限', preview: '預覽（模擬執行）', submit: '規劃此批次',
    previewTitle: '此計劃的模擬執行', previewOk: '沒有發現問題：規劃後須由另一名操作員批准。', problems: (n) => `${n} 個問題：請修正後再預覽。`,
  },
  folders: { title: '文件夾', all: '全部', filter: '顯示' },
  folder: {
    title: (code) => `文件夾 ${code}`, timeline: '時間線', runs: '執行記錄', drifts: '核對程序發現的偏差', plannedIn: '已編入批次',
    switchBack: '轉回現有 e 通訊', switchBackHelp: '須由另一名操作員批准；會通知相關公司。', request: '提出申請', pending: '等待批准',
    pendingLine: (kind, by, at) => `${kind}：由 ${by} 於 ${at} 提出`, approve: '批准', reject: '拒絕', repair: '受監督修復', repairTo: '修復至', more: '較早的事件',
    kinds: { switch_back: '轉回', repair: '修復' },
  },
  participants: { title: '參與者', search: '參與者代號或名稱', find: '搜尋', results: (n) => `找到 ${n} 間公司`, empty: '沒有相符的公司。' },
  participant: {
    title: (code, name) => `${code} ${name}`, folders: '文件夾及其所在平台', users: '用戶及其功能', usersFrom: (src) => `資料來源：${src}`,
    notices: '已發送給該公司的通知', attempts: '遞送記錄', adminWarning: '管理員', disagrees: 'Client Connect 與匯入的名錄不一致；以下顯示 Client Connect 的資料。',
  },
  decommission: {
    title: '停用現有 e 通訊', notScheduled: '尚未排期。', gate: '停用前檢查（每項均須通過）', gateNow: '現時情況；停用程序會於預定日期再次檢查，如有任何阻止項目便會等候。',
    checkedAt: (at) => `停用程序於 ${at} 的檢查結果`,
    schedule: '排期', approve: '批准停用', reschedule: '改期', at: '日期及時間（YYYY-MM-DD HH:mm，香港時間）', reminders: '通知及提示',
    reminderOn: (at) => `於 ${at} 提示所有公司`, firmsTold: (n) => `已通知 ${n} 間公司`,
    pass: '通過', block: '阻止',
  },
  events: { title: '事件記錄', filter: '篩選', by: '按', any: '全部', older: '較早', newer: '較新', page: (n) => `第 ${n} 頁`, empty: '沒有事件。' },
  done: {
    planned: '批次已規劃：現須由另一名操作員批准。', approved: '已批准。', rejected: '已拒絕。', paused: '已暫停。', resumed: '已繼續。', aborted: '已要求中止。', overridden: '已略過準備情況。',
    rescheduled: '已改期：須重新批准。', requested: '已提出：須由另一名操作員批准。', scheduled: '已排期：須由另一名操作員批准。', done: '完成。',
    rehearsing: '預演已開始：現正於預演環境執行；結果將顯示於「預演」。',
  },
  error: { title: '已拒絕', csrf: '此表格已過期或並非來自本控制台：請重新載入頁面再試。', notFound: '沒有此頁面。', internal: '控制台發生錯誤；工具的操作人員可於其記錄中查看詳情。' },
  status: {
    awaiting_approval: '等待批准', approved: '已批准', announced: '已公布', blocked_on_readiness: '因準備情況受阻', running: '執行中', paused: '已暫停', aborting: '中止中',
    completed: '已完成', completed_with_failures: '已完成（有失敗）', aborted: '已中止', rejected: '已拒絕', expired: '已逾期', refused: '已拒絕執行',
    pending: '待處理', live: '已於 e 通訊 2.0', failed: '失敗', skipped: '已略過', legacy: '現有 e 通訊', scheduled: '已排期', cutting_over: '轉移中', rolling_back: '轉回中',
    retired: '已撤銷', new_on_2_0: 'e 通訊 2.0 新增', succeeded: '成功', compensated: '已復原', sent: '已發送', queued: '排隊中', bounced: '退回', blocked: '受阻', cancelled: '已取消',
    open: '未解決', resolved: '已解決',
    continue: '繼續處理其他文件夾', halt: '停止整個批次', folders: '文件夾', batches: '批次', switch_backs: '轉回申請', quiet_period: '靜止期', sending: '發送中', withdrawn: '已撤回', not_retired: '未撤銷', drift: '偏差', directory: '匯入的名錄',
    batch_announced: '批次公布', batch_reminder: '批次提示', folders_live: '文件夾已轉移', batch_outcome: '轉移結果', batch_cancelled: '批次取消', folder_switched_back: '文件夾已轉回', readiness_action_needed: '須採取準備行動',
    decommission_scheduled: '停用已排期', decommission_reminder: '停用提示', legacy_decommissioned: '現有 e 通訊已停用',
    freeze: '凍結', drain: '清理', enable: '啟用', verify: '核實', disable_source: '停用舊平台', finish: '完成', compensating: '復原中', done: '完成', begin: '開始',
  },
};

en.status = {
  awaiting_approval: 'awaiting approval', blocked_on_readiness: 'blocked on readiness', completed_with_failures: 'completed with failures', live: 'live on ECP 2.0', legacy: 'on legacy ECP',
  cutting_over: 'cutting over', rolling_back: 'switching back', new_on_2_0: 'new on ECP 2.0', disable_source: 'disable on legacy',
  continue: 'continue with the others', halt: 'halt the batch', switch_backs: 'switch-backs', quiet_period: 'quiet period', not_retired: 'not retired', directory: 'the imported directory',
};

export type Words = typeof en;
export const words = (lang: Lang): Words => (lang === 'zh-Hant' ? zh : en);
/** A status, step or placement in the reader's language (the code itself when there is no word for it). */
export const statusWord = (w: Words, s: string | null | undefined): string => (s ? (w.status[s] ?? s.replace(/_/g, ' ')) : '-');
