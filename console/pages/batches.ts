import { BEFORE_START, FINAL_BATCH_STATUSES } from '../../domain/batch-lifecycle';
import type { ReplyOf } from '../../contract/api';
import type { BatchView, RehearsalsView } from '../../contract/views';
import type { ReportFacts } from '../../domain/report';
import { html, qs, type Html } from '../../http/html';
import { reportBody } from '../report-page';
import { statusWord, type Words } from '../i18n';
import { actionForm, badge, can, field, hk, layout, reasonField, type PageContext } from './layout';

/** The batches: the list, one batch (with its progress, followed live), and the approval's review. */

function nextInstant(w: Words, b: BatchView): string {
  if (b.finishedAt) return w.batches.finishedAt(hk(b.finishedAt));
  if (b.startedAt) return w.batches.startedAt(hk(b.startedAt));
  return w.batches.plannedFor(hk(b.plannedAt));
}

export function batchesPage(
  c: PageContext,
  batches: BatchView[],
  flash?: { ok?: string; error?: string },
): Html {
  const { w } = c;
  const body = html`${can(c, 'batch.plan') ? html`<p><a href="/console/plan">${w.nav.plan}</a></p>` : ''}
${
  batches.length === 0
    ? html`<p>${w.batches.empty}</p>`
    : html`<div class="scroll"><table><caption class="note">${w.batches.title}</caption>
<thead><tr><th scope="col">${w.col.batch}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.next}</th><th scope="col">${w.col.folders}</th><th scope="col">${w.col.requestedBy}</th><th scope="col">${w.col.approvedBy}</th></tr></thead>
<tbody>${batches.map((b) => html`<tr data-batch="${b.id}"><th scope="row"><a href="/console/batches/${encodeURIComponent(b.id)}">${b.id}</a></th><td>${b.name}</td><td>${badge(w, b.status)}</td><td>${nextInstant(w, b)}</td><td>${b.folders.length}</td><td>${b.requestedBy}</td><td>${b.approvedBy ?? '-'}</td></tr>`)}</tbody></table></div>`
}`;
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

/** A batch's rehearsals (issue 28): the latest of this plan in one line, each with its report, and — for a planner, before the start — the button. */
export function rehearsalsSection(c: PageContext, b: BatchView, r: RehearsalsView | undefined): Html {
  if (!r) return html``;
  const { w } = c;
  const id = encodeURIComponent(b.id);
  const button =
    BEFORE_START.includes(b.status) && can(c, 'batch.rehearse')
      ? html`<p class="note">${w.batch.rehearseNote}</p>${actionForm(c, `/console/batches/${id}/rehearse`, w.batch.rehearse)}`
      : '';
  return html`<section id="rehearsals" aria-labelledby="rehearsals-h"><h2 id="rehearsals-h">${w.batch.rehearsals}</h2>
<p id="rehearsal-line">${r.line}</p>${r.refusal ? html`<p class="note" id="rehearsal-required">${r.refusal}</p>` : ''}
${r.rehearsals.length ? html`<ul>${r.rehearsals.slice(0, 10).map((x) => html`<li data-rehearsal="${x.id}">${x.id}: ${x.status}${x.failure ? html` — ${x.failure}` : ''} · ${hk(x.startedAt)} · <a href="/console/rehearsals/${encodeURIComponent(x.id)}/report">${w.batch.rehearsalReport}</a></li>`)}</ul>` : ''}
${button}</section>`;
}

export function batchPage(
  c: PageContext,
  b: BatchView,
  flash?: { ok?: string; error?: string },
  rehearsals?: RehearsalsView,
): Html {
  const { w } = c;
  const me = c.op?.name;
  const id = encodeURIComponent(b.id);
  const actions: Html[] = [];
  const waiting = b.status === 'awaiting_approval';
  const notStarted = BEFORE_START.includes(b.status);
  if (waiting && can(c, 'batch.approve', [b.requestedBy]))
    actions.push(html`<p><a href="/console/batches/${id}/approve">${w.batch.approveReview}</a></p>`);
  if (waiting && b.requestedBy === me) actions.push(html`<p class="note">${w.batch.notYours}</p>`);
  if (waiting && can(c, 'batch.reject'))
    actions.push(
      actionForm(c, `/console/batches/${id}/reject`, w.batch.reject, reasonField(c), {
        name: w.batch.reject,
      }),
    );
  if (notStarted && can(c, 'batch.reschedule')) {
    actions.push(
      actionForm(
        c,
        `/console/batches/${id}/reschedule`,
        w.batch.reschedule,
        html`${field(w.batch.newAt, (a) => html`<input${a} name="at" required maxlength="64">`)}${field(w.batch.minNotice, (a) => html`<input${a} name="minNotice" maxlength="16">`)}${field(w.batch.allowOffDay, (a) => html`<input${a} type="checkbox" name="allowNonBusinessDay" value="true">`, { check: true })}`,
        { name: w.batch.reschedule },
      ),
    );
  }
  if (b.status === 'running' && can(c, 'batch.pause'))
    actions.push(actionForm(c, `/console/batches/${id}/pause`, w.batch.pause));
  if (b.status === 'paused' && can(c, 'batch.resume'))
    actions.push(actionForm(c, `/console/batches/${id}/resume`, w.batch.resume));
  if (b.status === 'blocked_on_readiness' && can(c, 'batch.override_readiness', [b.requestedBy]))
    actions.push(
      actionForm(c, `/console/batches/${id}/override-readiness`, w.batch.override, reasonField(c), {
        name: w.batch.override,
      }),
    );
  if (!FINAL_BATCH_STATUSES.includes(b.status) && can(c, 'batch.abort'))
    actions.push(
      actionForm(c, `/console/batches/${id}/abort`, w.batch.abort, reasonField(c), {
        danger: true,
        confirm: `${w.batch.abort} ${b.id}?`,
        name: w.batch.abort,
      }),
    );
  const body = html`<h2>${w.batch.plan}</h2>
<dl class="facts"><dt>${w.col.name}</dt><dd>${b.name}</dd><dt>${w.col.planned}</dt><dd>${hk(b.plannedAt)}</dd><dt>${w.col.requestedBy}</dt><dd>${b.requestedBy}</dd><dt>${w.col.approvedBy}</dt><dd>${b.approvedBy ?? '-'}</dd>
<dt>${w.batch.failurePolicy}</dt><dd>${statusWord(w, b.failurePolicy)}</dd><dt>${w.batch.concurrency}</dt><dd>${b.concurrency}</dd></dl>
<p><a href="/console/events${qs({ batch: b.id })}">${w.nav.events}</a> · <a href="/console/batches/${encodeURIComponent(b.id)}/report">${w.batch.report}</a></p>
${batchProgress(c, b)}
${rehearsalsSection(c, b, rehearsals)}
<h2>${w.batch.actions}</h2>${actions.length ? actions : html`<p>${w.batch.noActions}</p>`}`;
  return layout(c, w.batch.title(b.id), body, flash);
}

type DryRun = ReplyOf<'GET /api/batches/{id}/dry-run'>;

/** What a batch (or a plan) concerns, per folder: firms affected and not ready, and a few of them. */
export function dryRunTable(
  c: PageContext,
  folders: {
    code: string;
    name: string;
    affected: number;
    notReady: number;
    firms: { participant: string; missing: string }[];
  }[],
): Html {
  const { w } = c;
  return html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.folder}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.affected}</th><th scope="col">${w.col.notReady}</th><th scope="col">${w.approve.notReadyFirms}</th></tr></thead>
<tbody>${folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row">${f.code}</th><td>${f.name}</td><td>${f.affected}</td><td>${f.notReady}</td><td>${f.firms.slice(0, 5).map((n) => html`<div><a href="/console/participants/${n.participant}">${n.participant}</a>: ${n.missing}</div>`)}</td></tr>`)}</tbody></table></div>`;
}

export function approvePage(
  c: PageContext,
  b: BatchView,
  dry: DryRun,
  flash?: { error?: string },
  rehearsals?: RehearsalsView,
): Html {
  const { w } = c;
  const body = html`<p>${w.approve.lead}</p>
${rehearsals ? html`<p id="approve-rehearsal">${rehearsals.line}</p>${rehearsals.refusal ? html`<p class="note" id="approve-rehearsal-required">${rehearsals.refusal}</p>` : ''}` : ''}
<dl class="facts" id="approval-summary"><dt>${w.col.batch}</dt><dd>${b.id} — ${b.name}</dd><dt>${w.approve.instant}</dt><dd id="approve-at">${hk(b.plannedAt)}</dd>
<dt>${w.col.folders}</dt><dd id="approve-folders">${b.folders.map((f) => f.code).join(', ')}</dd><dt>${w.approve.firms}</dt><dd id="approve-firms">${dry.affected}</dd>
<dt>${w.approve.gaps}</dt><dd id="approve-gaps">${dry.notReady}</dd><dt>${w.col.requestedBy}</dt><dd>${b.requestedBy}</dd></dl>
<h2>${w.approve.dryRun}</h2>
${dryRunTable(
  c,
  dry.folders.map((f) => ({
    code: f.code,
    name: f.name,
    affected: f.affected,
    notReady: f.notReadyCount,
    firms: f.notReady,
  })),
)}
<h2>${w.approve.steps}</h2><ol>${dry.steps.map((s) => html`<li>${s}</li>`)}</ol>
${
  b.status !== 'awaiting_approval'
    ? html`<p>${statusWord(w, b.status)}</p>`
    : !can(c, 'batch.approve')
      ? ''
      : !can(c, 'batch.approve', [b.requestedBy])
        ? html`<p class="note">${w.batch.notYours}</p>`
        : html`
${actionForm(c, `/console/batches/${encodeURIComponent(b.id)}/approve`, w.approve.button, html`<input type="hidden" name="plannedAt" value="${b.plannedAt}">`, { back: `/console/batches/${encodeURIComponent(b.id)}` })}
${actionForm(c, `/console/batches/${encodeURIComponent(b.id)}/reject`, w.batch.reject, reasonField(c), { name: w.batch.reject, back: `/console/batches/${encodeURIComponent(b.id)}` })}`
}`;
  return layout(c, w.approve.title(b.id), body, flash);
}

/** A batch's report, inside the console (the same body as the HTML file the CLI writes). */
export function reportPage(c: PageContext, r: ReportFacts): Html {
  return layout(
    c,
    c.w.batch.reportTitle(r.batch.id),
    html`<p><a href="/console/batches/${encodeURIComponent(r.batch.id)}">${c.w.batch.title(r.batch.id)}</a></p>${reportBody(r)}`,
  );
}
