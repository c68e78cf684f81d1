import type { Operator } from '../app/context';
import { BEFORE_START, FINAL_BATCH_STATUSES } from '../domain/batch-lifecycle';
import type { Problem } from '../contract/errors';
import { may, type Permission } from '../domain/permissions';
import { formatHk } from '../domain/time';
import type { BatchView, EventView, FolderView } from '../contract/views';

import { html, qs, trusted, type Html } from '../http/html';
import { statusWord, type Lang, type Words } from './i18n';

/** What every page knows: the reader's language and words, who is signed in, the CSRF token of their forms. */
export interface PageContext {
  lang: Lang;
  w: Words;
  op: Omit<Operator, 'source'> | null;
  csrf: string;
  /** The page's own path and query, for the language switch and the forms' way back. */
  path: string;
  query: Record<string, string>;
}

const hk = (v: string | Date | null | undefined) => (v ? formatHk(v) : '-');
const badge = (w: Words, s: string | null | undefined) => html`<span class="badge s-${s ?? 'none'}">${statusWord(w, s)}</span>`;
/** What the signed-in operator may do here (domain/permissions.ts): a courtesy, the server refuses the rest anyway. */
const can = (c: PageContext, command: Permission, editors: readonly string[] = []) => Boolean(c.op && may(c.op, command, editors));

export function layout(c: PageContext, title: string, body: Html, flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const other: Lang = c.lang === 'en' ? 'zh-Hant' : 'en';
  const nav = c.op
    ? ([['/console/batches', w.nav.batches], ['/console/folders', w.nav.folders], ['/console/participants', w.nav.participants], ['/console/decommission', w.nav.decommission], ['/console/events', w.nav.events]] as const)
    : [];
  return html`<!doctype html>
<html lang="${c.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${w.appName}</title><link rel="stylesheet" href="/console/assets/console.css"></head>
<body><a class="skip" href="#main">${w.skip}</a>
<header><a class="app" href="/console/batches">${w.appName}</a>
${nav.length ? html`<nav aria-label="${w.appName}"><ul>${nav.map(([href, label]) => html`<li><a href="${href}"${c.path === href || c.path.startsWith(href + '/') ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>` : ''}
<div class="who"><a href="${c.path}${qs({ ...c.query, lang: other })}" lang="${other}" hreflang="${other}">${w.otherLang}</a>
${c.op ? html`<span>${w.signedInAs(c.op.name, c.op.roles.join(', ') || '-')}</span><form method="post" action="/console/sign-out"><input type="hidden" name="_csrf" value="${c.csrf}"><button type="submit">${w.signOut}</button></form>` : ''}</div>
</header>
<main id="main">
${flash?.ok ? html`<p class="flash ok" role="status">${flash.ok}</p>` : ''}${flash?.error ? html`<p class="flash err" role="alert">${flash.error}</p>` : ''}
<h1>${title}</h1>
${body}
<p class="note">${w.hkt}</p>
</main><script src="/console/assets/console.js"></script></body></html>`;
}

/** A form that makes a change: it carries the session's CSRF token and the page to come back to. */
function actionForm(c: PageContext, action: string, label: string, inner: Html | string = '', opts: { danger?: boolean; confirm?: string; name?: string; back?: string } = {}): Html {
  return html`<form class="inline" method="post" action="${action}"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}${opts.name ? html` aria-label="${opts.name}"` : ''}>
<input type="hidden" name="_csrf" value="${c.csrf}"><input type="hidden" name="_back" value="${opts.back ?? c.path}">${inner}
<button type="submit"${opts.danger ? html` class="danger"` : ''}>${label}</button></form>`;
}

let fieldSeq = 0; // ids unique within a page (rendered synchronously); wraps rather than grows
/** A labelled control; `input` gets the control's attributes (id, and what describes it: help, problems). */
function field(label: string, input: (attrs: Html) => Html, opts: { help?: string; problems?: string[]; check?: boolean } = {}): Html {
  const id = `f${(fieldSeq = (fieldSeq + 1) % 1_000_000)}`;
  const problems = opts.problems ?? [];
  const describedBy = [opts.help ? `${id}-help` : '', problems.length ? `${id}-problems` : ''].filter(Boolean).join(' ');
  const control = input(html` id="${id}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${problems.length ? html` aria-invalid="true" class="invalid"` : ''}`);
  return opts.check
    ? html`<div class="field check">${control}<label for="${id}">${label}</label></div>`
    : html`<div class="field"><label for="${id}">${label}</label>${control}${opts.help ? html`<span class="help" id="${id}-help">${opts.help}</span>` : ''}${problems.length ? html`<div id="${id}-problems">${problems.map((p) => html`<p class="problem">${p}</p>`)}</div>` : ''}</div>`;
}
const reasonField = (c: PageContext) => field(c.w.batch.reason, (a) => html`<input${a} name="reason" required minlength="3" maxlength="1000">`);

export function signInPage(c: PageContext, opts: { pre: string; next: string; oidc: boolean; token: boolean; error?: string }): Html {
  const { w } = c;
  const body = html`${opts.token ? html`<form method="post" action="/console/sign-in">
<input type="hidden" name="_pre" value="${opts.pre}"><input type="hidden" name="next" value="${opts.next}">
${field(w.signIn.token, (a) => html`<input${a} name="token" type="password" autocomplete="current-password" required maxlength="200" spellcheck="false">`, { help: w.signIn.tokenHelp })}
<button type="submit">${w.signIn.submit}</button></form>` : ''}
${opts.oidc ? html`<p><a href="/console/oidc/start${qs({ next: opts.next })}">${w.signIn.oidc}</a></p>` : ''}`;
  return layout(c, w.signIn.title, body, { error: opts.error });
}

function nextInstant(w: Words, b: BatchView): string {
  if (b.finishedAt) return w.batches.finishedAt(hk(b.finishedAt));
  if (b.startedAt) return w.batches.startedAt(hk(b.startedAt));
  return w.batches.plannedFor(hk(b.plannedAt));
}

export function batchesPage(c: PageContext, batches: BatchView[], flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const body = html`${can(c, 'batch.plan') ? html`<p><a href="/console/plan">${w.nav.plan}</a></p>` : ''}
${batches.length === 0 ? html`<p>${w.batches.empty}</p>` : html`<div class="scroll"><table><caption class="note">${w.batches.title}</caption>
<thead><tr><th scope="col">${w.col.batch}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.next}</th><th scope="col">${w.col.folders}</th><th scope="col">${w.col.requestedBy}</th><th scope="col">${w.col.approvedBy}</th></tr></thead>
<tbody>${batches.map((b) => html`<tr data-batch="${b.id}"><th scope="row"><a href="/console/batches/${encodeURIComponent(b.id)}">${b.id}</a></th><td>${b.name}</td><td>${badge(w, b.status)}</td><td>${nextInstant(w, b)}</td><td>${b.folders.length}</td><td>${b.requestedBy}</td><td>${b.approvedBy ?? '-'}</td></tr>`)}</tbody></table></div>`}`;
  return layout(c, w.batches.title, body, flash);
}

/** The part of a batch page that follows a running batch (served alone at ?part=progress). */
export function batchProgress(c: PageContext, b: BatchView): Html {
  const { w } = c;
  const final = FINAL_BATCH_STATUSES.includes(b.status);
  return html`<section id="progress" aria-labelledby="progress-h" data-live="/console/batches/${encodeURIComponent(b.id)}?part=progress" data-final="${final ? 'true' : 'false'}">
<h2 id="progress-h">${w.batch.progress}</h2>
<p role="status" aria-live="polite">${w.col.status}: <strong id="batch-status" data-status="${b.status}">${statusWord(w, b.status)}</strong>${b.reason ? html` — ${b.reason}` : ''} · ${nextInstant(w, b)}</p>
${final ? '' : html`<p class="note">${w.batch.live}</p>`}
<div class="scroll"><table><thead><tr><th scope="col">${w.col.folder}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.step}</th><th scope="col">${w.col.freeze}</th><th scope="col">${w.col.failure}</th></tr></thead>
<tbody>${b.folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row"><a href="/console/folders/${encodeURIComponent(f.code)}">${f.code}</a></th><td>${f.name}</td><td>${badge(w, f.status)}</td><td>${statusWord(w, f.step)}</td><td>${f.freezeWindowMs === null ? '-' : `${f.freezeWindowMs} ms`}</td><td>${f.failure ?? ''}</td></tr>`)}</tbody></table></div>
${b.retires.length ? html`<h3>${w.batch.retires}</h3><ul>${b.retires.map((r) => html`<li>${r.code} ${r.name}: ${badge(w, r.status)} ${r.failure ?? ''}</li>`)}</ul>` : ''}
</section>`;
}

export function batchPage(c: PageContext, b: BatchView, flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const me = c.op?.name;
  const id = encodeURIComponent(b.id);
  const actions: Html[] = [];
  const waiting = b.status === 'awaiting_approval';
  const notStarted = BEFORE_START.includes(b.status);
  if (waiting && can(c, 'batch.approve', [b.requestedBy])) actions.push(html`<p><a href="/console/batches/${id}/approve">${w.batch.approveReview}</a></p>`);
  if (waiting && b.requestedBy === me) actions.push(html`<p class="note">${w.batch.notYours}</p>`);
  if (waiting && can(c, 'batch.reject')) actions.push(actionForm(c, `/console/batches/${id}/reject`, w.batch.reject, reasonField(c), { name: w.batch.reject }));
  if (notStarted && can(c, 'batch.reschedule')) {
    actions.push(actionForm(c, `/console/batches/${id}/reschedule`, w.batch.reschedule, html`${field(w.batch.newAt, (a) => html`<input${a} name="at" required maxlength="64">`)}${field(w.batch.minNotice, (a) => html`<input${a} name="minNotice" maxlength="16">`)}${field(w.batch.allowOffDay, (a) => html`<input${a} type="checkbox" name="allowNonBusinessDay" value="true">`, { check: true })}`, { name: w.batch.reschedule }));
  }
  if (b.status === 'running' && can(c, 'batch.pause')) actions.push(actionForm(c, `/console/batches/${id}/pause`, w.batch.pause));
  if (b.status === 'paused' && can(c, 'batch.resume')) actions.push(actionForm(c, `/console/batches/${id}/resume`, w.batch.resume));
  if (b.status === 'blocked_on_readiness' && can(c, 'batch.override_readiness', [b.requestedBy])) actions.push(actionForm(c, `/console/batches/${id}/override-readiness`, w.batch.override, reasonField(c), { name: w.batch.override }));
  if (!FINAL_BATCH_STATUSES.includes(b.status) && can(c, 'batch.abort')) actions.push(actionForm(c, `/console/batches/${id}/abort`, w.batch.abort, reasonField(c), { danger: true, confirm: `${w.batch.abort} ${b.id}?`, name: w.batch.abort }));
  const body = html`<h2>${w.batch.plan}</h2>
<dl class="facts"><dt>${w.col.name}</dt><dd>${b.name}</dd><dt>${w.col.planned}</dt><dd>${hk(b.plannedAt)}</dd><dt>${w.col.requestedBy}</dt><dd>${b.requestedBy}</dd><dt>${w.col.approvedBy}</dt><dd>${b.approvedBy ?? '-'}</dd>
<dt>${w.batch.failurePolicy}</dt><dd>${statusWord(w, b.failurePolicy)}</dd><dt>${w.batch.concurrency}</dt><dd>${b.concurrency}</dd></dl>
<p><a href="/console/events${qs({ batch: b.id })}">${w.nav.events}</a></p>
${batchProgress(c, b)}
<h2>${w.batch.actions}</h2>${actions.length ? actions : html`<p>${w.batch.noActions}</p>`}`;
  return layout(c, w.batch.title(b.id), body, flash);
}

interface DryRun {
  batch: { id: string; plannedAt: string };
  steps: string[];
  affected: number;
  notReady: number;
  folders: { code: string; name: string; affected: number; notReadyCount: number; notReady: { participant: string; missing: string }[] }[];
}

function dryRunTable(c: PageContext, folders: { code: string; name: string; affected: number; notReady: number; firms: { participant: string; missing: string }[] }[]): Html {
  const { w } = c;
  return html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.folder}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.affected}</th><th scope="col">${w.col.notReady}</th><th scope="col">${w.approve.notReadyFirms}</th></tr></thead>
<tbody>${folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row">${f.code}</th><td>${f.name}</td><td>${f.affected}</td><td>${f.notReady}</td><td>${f.firms.slice(0, 5).map((n) => html`<div><a href="/console/participants/${n.participant}">${n.participant}</a>: ${n.missing}</div>`)}</td></tr>`)}</tbody></table></div>`;
}

export function approvePage(c: PageContext, b: BatchView, dry: DryRun, flash?: { error?: string }): Html {
  const { w } = c;
  const body = html`<p>${w.approve.lead}</p>
<dl class="facts" id="approval-summary"><dt>${w.col.batch}</dt><dd>${b.id} — ${b.name}</dd><dt>${w.approve.instant}</dt><dd id="approve-at">${hk(b.plannedAt)}</dd>
<dt>${w.col.folders}</dt><dd id="approve-folders">${b.folders.map((f) => f.code).join(', ')}</dd><dt>${w.approve.firms}</dt><dd id="approve-firms">${dry.affected}</dd>
<dt>${w.approve.gaps}</dt><dd id="approve-gaps">${dry.notReady}</dd><dt>${w.col.requestedBy}</dt><dd>${b.requestedBy}</dd></dl>
<h2>${w.approve.dryRun}</h2>
${dryRunTable(c, dry.folders.map((f) => ({ code: f.code, name: f.name, affected: f.affected, notReady: f.notReadyCount, firms: f.notReady })))}
<h2>${w.approve.steps}</h2><ol>${dry.steps.map((s) => html`<li>${s}</li>`)}</ol>
${b.status !== 'awaiting_approval' ? html`<p>${statusWord(w, b.status)}</p>` : !can(c, 'batch.approve') ? '' : !can(c, 'batch.approve', [b.requestedBy]) ? html`<p class="note">${w.batch.notYours}</p>` : html`
${actionForm(c, `/console/batches/${encodeURIComponent(b.id)}/approve`, w.approve.button, html`<input type="hidden" name="plannedAt" value="${b.plannedAt}">`, { back: `/console/batches/${encodeURIComponent(b.id)}` })}
${actionForm(c, `/console/batches/${encodeURIComponent(b.id)}/reject`, w.batch.reject, reasonField(c), { name: w.batch.reject, back: `/console/batches/${encodeURIComponent(b.id)}` })}`}`;
  return layout(c, w.approve.title(b.id), body, flash);
}

export interface PlanFormState {
  values: Record<string, string>;
  problems: Problem[];
  preview?: { ok: boolean; plannedAt: string | null; steps: string[]; affected: number; notReady: number; folders: { code: string; name: string; affected: number; notReady: number; notReadyFirms: { participant: string; missing: string }[] }[] };
  error?: string;
}

export function planPage(c: PageContext, s: PlanFormState): Html {
  const { w } = c;
  const f = w.planForm;
  const v = (k: string) => s.values[k] ?? '';
  const of = (field: string) => s.problems.filter((p) => p.field === field).map((p) => p.message);
  const text = (name: string, label: string, help?: string, attrs = '') => field(label, (a) => html`<input${a} name="${name}" value="${v(name)}"${trusted(attrs)}>`, { help, problems: of(name) });
  const preview = s.preview;
  const body = html`<form method="post" action="/console/plan" novalidate>
<input type="hidden" name="_csrf" value="${c.csrf}">
<fieldset><legend>${f.title}</legend>
${text('id', f.id, f.idHelp, ' required maxlength="32"')}
${text('name', f.name, undefined, ' required maxlength="200"')}
${text('at', f.at, f.atHelp, ' required maxlength="64"')}
${text('folders', f.folders, f.foldersHelp, ' required maxlength="4000"')}
${text('retire', f.retire, f.retireHelp, ' maxlength="4000"')}
${field(f.onFailure, (a) => html`<select${a} name="onFailure"><option value="continue"${v('onFailure') !== 'halt' ? html` selected` : ''}>${f.continue}</option><option value="halt"${v('onFailure') === 'halt' ? html` selected` : ''}>${f.halt}</option></select>`, { problems: of('onFailure') })}
${text('concurrency', f.concurrency, undefined, ' inputmode="numeric" maxlength="3"')}
${text('minNotice', f.minNotice, f.minNoticeHelp, ' maxlength="16"')}
${field(f.allowOffDay, (a) => html`<input${a} type="checkbox" name="allowNonBusinessDay" value="true"${v('allowNonBusinessDay') === 'true' ? html` checked` : ''}>`, { check: true })}
${text('maxNotReady', f.maxNotReady, f.maxNotReadyHelp, ' maxlength="16"')}
</fieldset>
<button type="submit" name="intent" value="preview" class="secondary">${f.preview}</button> <button type="submit" name="intent" value="plan">${f.submit}</button>
</form>
${preview ? html`<section aria-labelledby="preview-h" id="preview"><h2 id="preview-h">${f.previewTitle}</h2>
<p role="status">${preview.ok ? f.previewOk : f.problems(s.problems.length)}</p>
<dl class="facts"><dt>${w.approve.instant}</dt><dd>${hk(preview.plannedAt)}</dd><dt>${w.approve.firms}</dt><dd id="preview-firms">${preview.affected}</dd><dt>${w.approve.gaps}</dt><dd>${preview.notReady}</dd></dl>
${dryRunTable(c, preview.folders.map((x) => ({ code: x.code, name: x.name, affected: x.affected, notReady: x.notReady, firms: x.notReadyFirms })))}
<h3>${w.approve.steps}</h3><ol>${preview.steps.map((x) => html`<li>${x}</li>`)}</ol></section>` : ''}`;
  return layout(c, f.title, body, { error: s.error });
}

export function foldersPage(c: PageContext, folders: FolderView[], status: string | undefined, placements: readonly string[]): Html {
  const { w } = c;
  const body = html`<form method="get" action="/console/folders" class="inline">${field(w.folders.filter, (a) => html`<select${a} name="status"><option value="">${w.folders.all}</option>${placements.map((p) => html`<option value="${p}"${p === status ? html` selected` : ''}>${statusWord(w, p)}</option>`)}</select>`)}<button type="submit" class="secondary">${w.folders.filter}</button></form>
<div class="scroll"><table><thead><tr><th scope="col">${w.col.code}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.market}</th><th scope="col">${w.col.placement}</th><th scope="col">${w.col.since}</th><th scope="col">${w.col.batch}</th></tr></thead>
<tbody>${folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row"><a href="/console/folders/${encodeURIComponent(f.code)}">${f.code}</a></th><td>${c.lang === 'zh-Hant' ? f.nameZh : f.nameEn}</td><td>${f.market}</td><td>${badge(w, f.placement)}${f.drifts.length ? html` <span class="badge s-failed">${statusWord(w, 'drift')}</span>` : ''}</td><td>${hk(f.liveSince ?? f.placementChangedAt)}</td><td>${f.plannedBatch ? html`<a href="/console/batches/${encodeURIComponent(f.plannedBatch.id)}">${f.plannedBatch.id}</a> ${hk(f.plannedBatch.plannedAt)}` : '-'}</td></tr>`)}</tbody></table></div>`;
  return layout(c, w.folders.title, body);
}

export function eventsTable(c: PageContext, events: EventView[]): Html {
  const { w } = c;
  if (events.length === 0) return html`<p>${w.events.empty}</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.at}</th><th scope="col">${w.col.actor}</th><th scope="col">${w.col.what}</th><th scope="col">${w.col.from}</th><th scope="col">${w.col.to}</th><th scope="col">${w.col.reason}</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${hk(e.at)}</td><td>${e.actor}</td><td>${e.entityType} ${e.entityId}</td><td>${statusWord(w, e.from)}</td><td>${statusWord(w, e.to)}</td><td>${e.reason ?? ''}</td></tr>`)}</tbody></table></div>`;
}

interface FolderDetail {
  folder: FolderView;
  runs: { kind: string; batchId: string | null; status: string; step: string | null; startedAt: string; finishedAt: string | null; failure: string | null }[];
  drifts: { kind: string; detail: string; detectedAt: string; resolvedAt: string | null }[];
  pending: { kind: 'switch_back' | 'repair'; requestedBy: string; reason: string | null; at: string }[];
  events: EventView[];
}

export function folderPage(c: PageContext, d: FolderDetail, flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const f = d.folder;
  const code = encodeURIComponent(f.code);
  const pending = d.pending.map((p) => html`<li>${w.folder.pendingLine(w.folder.kinds[p.kind], p.requestedBy, hk(p.at))}${p.reason ? html` — ${p.reason}` : ''}
${can(c, p.kind === 'repair' ? 'repair.approve' : 'switch_back.approve', [p.requestedBy]) ? html`<div>${actionForm(c, `/console/folders/${code}/${p.kind === 'repair' ? 'repair' : 'switch-back'}/approve`, w.folder.approve)}${actionForm(c, `/console/folders/${code}/${p.kind === 'repair' ? 'repair' : 'switch-back'}/reject`, w.folder.reject, reasonField(c), { name: w.folder.reject })}</div>` : ''}</li>`);
  const body = html`<dl class="facts"><dt>${w.col.name}</dt><dd>${f.nameEn} / <span lang="zh-Hant">${f.nameZh}</span></dd><dt>${w.col.market}</dt><dd>${f.market}</dd>
<dt>${w.col.placement}</dt><dd id="placement" data-placement="${f.placement}">${badge(w, f.placement)}</dd><dt>${w.col.since}</dt><dd>${hk(f.liveSince ?? f.placementChangedAt)}</dd>
<dt>${w.folder.plannedIn}</dt><dd>${f.plannedBatch ? html`<a href="/console/batches/${encodeURIComponent(f.plannedBatch.id)}">${f.plannedBatch.id}</a> (${statusWord(w, f.plannedBatch.status)}, ${hk(f.plannedBatch.plannedAt)})` : '-'}</dd>
${f.lastFailure ? html`<dt>${w.col.failure}</dt><dd>${f.lastFailure}</dd>` : ''}</dl>
${d.drifts.length ? html`<h2>${w.folder.drifts}</h2><ul>${d.drifts.map((x) => html`<li>${badge(w, x.resolvedAt ? 'resolved' : 'open')} ${hk(x.detectedAt)}${x.resolvedAt ? ` → ${hk(x.resolvedAt)}` : ''}: ${statusWord(w, x.kind)} — ${x.detail}</li>`)}</ul>` : ''}
${d.pending.length ? html`<h2>${w.folder.pending}</h2><ul>${pending}</ul>` : ''}
${f.placement === 'live' && can(c, 'switch_back.request') && !d.pending.some((p) => p.kind === 'switch_back') ? html`<h2>${w.folder.switchBack}</h2><p class="note">${w.folder.switchBackHelp}</p>${actionForm(c, `/console/folders/${code}/switch-back`, w.folder.request, reasonField(c), { name: w.folder.switchBack })}` : ''}
<h2>${w.folder.runs}</h2>${d.runs.length ? html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.run}</th><th scope="col">${w.col.batch}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.step}</th><th scope="col">${w.col.started}</th><th scope="col">${w.col.finished}</th><th scope="col">${w.col.failure}</th></tr></thead>
<tbody>${d.runs.map((r) => html`<tr><td>${r.kind}</td><td>${r.batchId ?? '-'}</td><td>${badge(w, r.status)}</td><td>${statusWord(w, r.step)}</td><td>${hk(r.startedAt)}</td><td>${hk(r.finishedAt)}</td><td>${r.failure ?? ''}</td></tr>`)}</tbody></table></div>` : html`<p>${w.none}</p>`}
<h2>${w.folder.timeline}</h2>${eventsTable(c, d.events)}<p><a href="/console/events${qs({ folder: f.code })}">${w.folder.more}</a></p>
${can(c, 'repair.request') && !d.pending.some((p) => p.kind === 'repair') ? html`<h2>${w.folder.repair}</h2>${actionForm(c, `/console/folders/${code}/repair`, w.folder.request, html`${field(w.folder.repairTo, (a) => html`<select${a} name="to"><option value="legacy">${statusWord(w, 'legacy')}</option><option value="live">${statusWord(w, 'live')}</option></select>`)}${reasonField(c)}`, { name: w.folder.repair })}` : ''}`;
  return layout(c, w.folder.title(f.code), body, flash);
}

export function participantsPage(c: PageContext, q: string, found: { code: string; nameEn: string; nameZh: string | null; userTypes: string[] }[] | null, error?: string): Html {
  const { w } = c;
  const body = html`<form method="get" action="/console/participants" role="search" class="inline">${field(w.participants.search, (a) => html`<input${a} name="q" value="${q}" required minlength="2" maxlength="100" type="search">`)}<button type="submit">${w.participants.find}</button></form>
${found === null ? '' : found.length === 0 ? html`<p>${w.participants.empty}</p>` : html`<p role="status">${w.participants.results(found.length)}</p><div class="scroll"><table><thead><tr><th scope="col">${w.col.participant}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.userTypes}</th></tr></thead>
<tbody>${found.map((p) => html`<tr><th scope="row"><a href="/console/participants/${p.code}">${p.code}</a></th><td>${p.nameEn}${p.nameZh ? html` / <span lang="zh-Hant">${p.nameZh}</span>` : ''}</td><td>${p.userTypes.join(', ')}</td></tr>`)}</tbody></table></div>`}`;
  return layout(c, w.participants.title, body, { error });
}

interface ParticipantData {
  participant: { code: string; nameEn: string; nameZh: string | null; userTypes: string[]; emails: string[] };
  users: { source: string; fallback: string | null; list: { email: string; role: string; functions: string[]; sftpKeyRegistered: boolean; ipRegistered: boolean }[]; disagreesWithDirectory: boolean; adminWarning: string | null };
  folders: { code: string; name: string; placement: string; liveSince: string | null; ready: boolean; missing: string | null; drifts: unknown[] }[];
  notices: { kind: string; subject: string; status: string; to: string[]; folders: string[]; sentAt: string | null; attempts: { at: string; outcome: string; smtp: string | null }[] }[];
}

export function participantPage(c: PageContext, d: ParticipantData): Html {
  const { w } = c;
  const p = d.participant;
  const yes = (b: boolean) => (b ? w.yes : w.no);
  const body = html`<dl class="facts"><dt>${w.col.userTypes}</dt><dd>${p.userTypes.join(', ')}</dd><dt>${w.col.recipients}</dt><dd>${p.emails.join(', ')}</dd></dl>
<h2>${w.participant.folders}</h2>
<div class="scroll"><table id="participant-folders"><thead><tr><th scope="col">${w.col.folder}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.placement}</th><th scope="col">${w.col.ready}</th><th scope="col">${w.col.missing}</th></tr></thead>
<tbody>${d.folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row"><a href="/console/folders/${encodeURIComponent(f.code)}">${f.code}</a></th><td>${f.name}</td><td>${badge(w, f.placement)}${f.liveSince ? html` ${hk(f.liveSince)}` : ''}${f.drifts.length ? html` <span class="badge s-failed">${statusWord(w, 'drift')}</span>` : ''}</td><td>${yes(f.ready)}</td><td>${f.missing ?? ''}</td></tr>`)}</tbody></table></div>
<h2>${w.participant.users}</h2><p class="note">${w.participant.usersFrom(d.users.source === 'client_connect' ? 'Client Connect' : statusWord(w, 'directory'))}${d.users.fallback ? ` — ${d.users.fallback}` : ''}</p>
${d.users.disagreesWithDirectory ? html`<p class="flash err">${w.participant.disagrees}</p>` : ''}
${d.users.adminWarning ? html`<p class="flash err"><strong>${w.participant.adminWarning}:</strong> ${d.users.adminWarning}</p>` : ''}
<div class="scroll"><table><thead><tr><th scope="col">${w.col.email}</th><th scope="col">${w.col.role}</th><th scope="col">${w.col.functions}</th><th scope="col">${w.col.sftp}</th></tr></thead>
<tbody>${d.users.list.map((u) => html`<tr><td>${u.email}</td><td>${u.role}</td><td>${u.functions.join(', ') || '-'}</td><td>${yes(u.sftpKeyRegistered)} / ${yes(u.ipRegistered)}</td></tr>`)}</tbody></table></div>
<h2>${w.participant.notices}</h2>
${d.notices.length === 0 ? html`<p>${w.none}</p>` : html`<div class="scroll"><table id="participant-notices"><thead><tr><th scope="col">${w.col.kind}</th><th scope="col">${w.col.folders}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.sentAt}</th><th scope="col">${w.col.recipients}</th><th scope="col">${w.participant.attempts}</th></tr></thead>
<tbody>${d.notices.map((n) => html`<tr data-kind="${n.kind}" data-status="${n.status}"><td>${statusWord(w, n.kind)}<div class="note">${n.subject}</div></td><td>${n.folders.join(', ')}</td><td>${badge(w, n.status)}</td><td>${hk(n.sentAt)}</td><td>${n.to.join(', ')}</td><td>${n.attempts.map((a) => html`<div>${hk(a.at)} ${statusWord(w, a.outcome)}${a.smtp ? ` (${a.smtp.slice(0, 80)})` : ''}</div>`)}</td></tr>`)}</tbody></table></div>`}`;
  return layout(c, w.participant.title(p.code, c.lang === 'zh-Hant' && p.nameZh ? p.nameZh : p.nameEn), body);
}

interface DecommissionData {
  status: string;
  plannedAt?: string;
  requestedBy?: string;
  approvedBy?: string | null;
  gate?: { item: string; pass: boolean; detail: string }[] | null;
  gateCheckedAt?: string | null;
  completedAt?: string | null;
  reminderAts?: string[];
  notices?: { kind: string; subject: string; firms: number }[];
}

type Gate = { item: string; pass: boolean; detail: string }[];

function gateTable(c: PageContext, id: string, gate: Gate): Html {
  const { w } = c;
  return html`<div class="scroll"><table id="${id}"><thead><tr><th scope="col">${w.col.item}</th><th scope="col">${w.col.result}</th><th scope="col">${w.col.detail}</th></tr></thead>
<tbody>${gate.map((g) => html`<tr data-item="${g.item}" data-pass="${String(g.pass)}"><td>${statusWord(w, g.item)}</td><td>${g.pass ? html`<span class="badge s-pass">${w.decommission.pass}</span>` : html`<span class="badge s-block">${w.decommission.block}</span>`}</td><td>${g.detail}</td></tr>`)}</tbody></table></div>`;
}

export function decommissionPage(c: PageContext, d: DecommissionData, gateNow: Gate, flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const t = w.decommission;
  const scheduled = d.status !== 'not scheduled';
  const atField = () => field(t.at, (a) => html`<input${a} name="at" required maxlength="64">`);
  const body = html`${scheduled ? html`<dl class="facts"><dt>${w.col.status}</dt><dd id="decommission-status">${badge(w, d.status)}</dd><dt>${w.col.planned}</dt><dd>${hk(d.plannedAt)}</dd>
<dt>${w.col.requestedBy}</dt><dd>${d.requestedBy}</dd><dt>${w.col.approvedBy}</dt><dd>${d.approvedBy ?? '-'}</dd>${d.completedAt ? html`<dt>${w.col.finished}</dt><dd>${hk(d.completedAt)}</dd>` : ''}</dl>` : html`<p>${t.notScheduled}</p>`}
<h2>${t.gate}</h2><p class="note">${t.gateNow}</p>${gateTable(c, 'gate-now', gateNow)}
${d.gate ? html`<h3>${t.checkedAt(hk(d.gateCheckedAt))}</h3>${gateTable(c, 'gate', d.gate)}` : ''}
${scheduled ? html`<h2>${t.reminders}</h2><ul id="reminders">${(d.reminderAts ?? []).map((at) => html`<li>${t.reminderOn(hk(at))}</li>`)}${(d.notices ?? []).map((n) => html`<li>${statusWord(w, n.kind)} (${n.subject}): ${t.firmsTold(n.firms)}</li>`)}</ul>` : ''}
${(!scheduled || d.status === 'cancelled') && can(c, 'decommission.schedule') ? html`<h2>${t.schedule}</h2>${actionForm(c, '/console/decommission', t.schedule, atField(), { name: t.schedule })}` : ''}
${d.status === 'awaiting_approval' && can(c, 'decommission.approve', d.requestedBy ? [d.requestedBy] : []) ? html`<h2>${t.approve}</h2>${actionForm(c, '/console/decommission/approve', t.approve, html`<input type="hidden" name="plannedAt" value="${d.plannedAt}">`)}` : ''}
${['awaiting_approval', 'scheduled', 'blocked'].includes(d.status) && can(c, 'decommission.reschedule') ? html`<h2>${t.reschedule}</h2>${actionForm(c, '/console/decommission/reschedule', t.reschedule, atField(), { name: t.reschedule })}` : ''}`;
  return layout(c, t.title, body, flash);
}

/** What the audit trail can be filtered by (one at a time). */
export const EVENT_FILTERS = ['folder', 'batch', 'participant', 'operator'] as const;

export function eventsPage(c: PageContext, filter: Record<string, string>, page: number, events: EventView[], pageSize: number, error?: string): Html {
  const { w } = c;
  const keys = EVENT_FILTERS;
  const labels = { folder: w.col.folder, batch: w.col.batch, participant: w.col.participant, operator: w.col.actor };
  const current = keys.find((k) => filter[k]);
  const body = html`<form method="get" action="/console/events" class="inline">
${field(w.events.by, (a) => html`<select${a} name="by"><option value="">${w.events.any}</option>${keys.map((k) => html`<option value="${k}"${k === current ? html` selected` : ''}>${labels[k]}</option>`)}</select>`)}
${field(w.events.filter, (a) => html`<input${a} name="value" value="${current ? filter[current] : ''}" maxlength="64">`)}
<button type="submit" class="secondary">${w.events.filter}</button></form>
${eventsTable(c, events)}
<nav class="pager" aria-label="${w.events.page(page)}">${page > 1 ? html`<a href="/console/events${qs({ ...filter, page: page - 1 })}">${w.events.newer}</a>` : ''}<span>${w.events.page(page)}</span>${events.length === pageSize ? html`<a href="/console/events${qs({ ...filter, page: page + 1 })}">${w.events.older}</a>` : ''}</nav>`;
  return layout(c, w.events.title, body, { error });
}

export function errorPage(c: PageContext, message: string): Html {
  return layout(c, c.w.error.title, html`<p><a href="/console/batches">${c.w.nav.batches}</a></p>`, { error: message });
}
