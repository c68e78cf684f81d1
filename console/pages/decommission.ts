import { html, type Html } from '../../http/html';
import { statusWord } from '../i18n';
import { actionForm, badge, can, field, hk, layout, type PageContext } from './layout';

/** The decommission of legacy ECP: its status, its gate (now, and as last checked), reminders and the forms. */

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

export function decommissionPage(
  c: PageContext,
  d: DecommissionData,
  gateNow: Gate,
  flash?: { ok?: string; error?: string },
): Html {
  const { w } = c;
  const t = w.decommission;
  const scheduled = d.status !== 'not scheduled';
  const atField = () => field(t.at, (a) => html`<input${a} name="at" required maxlength="64">`);
  const body = html`${
    scheduled
      ? html`<dl class="facts"><dt>${w.col.status}</dt><dd id="decommission-status">${badge(w, d.status)}</dd><dt>${w.col.planned}</dt><dd>${hk(d.plannedAt)}</dd>
<dt>${w.col.requestedBy}</dt><dd>${d.requestedBy}</dd><dt>${w.col.approvedBy}</dt><dd>${d.approvedBy ?? '-'}</dd>${d.completedAt ? html`<dt>${w.col.finished}</dt><dd>${hk(d.completedAt)}</dd>` : ''}</dl>`
      : html`<p>${t.notScheduled}</p>`
  }
<h2>${t.gate}</h2><p class="note">${t.gateNow}</p>${gateTable(c, 'gate-now', gateNow)}
${d.gate ? html`<h3>${t.checkedAt(hk(d.gateCheckedAt))}</h3>${gateTable(c, 'gate', d.gate)}` : ''}
${scheduled ? html`<h2>${t.reminders}</h2><ul id="reminders">${(d.reminderAts ?? []).map((at) => html`<li>${t.reminderOn(hk(at))}</li>`)}${(d.notices ?? []).map((n) => html`<li>${statusWord(w, n.kind)} (${n.subject}): ${t.firmsTold(n.firms)}</li>`)}</ul>` : ''}
${(!scheduled || d.status === 'cancelled') && can(c, 'decommission.schedule') ? html`<h2>${t.schedule}</h2>${actionForm(c, '/console/decommission', t.schedule, atField(), { name: t.schedule })}` : ''}
${d.status === 'awaiting_approval' && can(c, 'decommission.approve', d.requestedBy ? [d.requestedBy] : []) ? html`<h2>${t.approve}</h2>${actionForm(c, '/console/decommission/approve', t.approve, html`<input type="hidden" name="plannedAt" value="${d.plannedAt}">`)}` : ''}
${['awaiting_approval', 'scheduled', 'blocked'].includes(d.status) && can(c, 'decommission.reschedule') ? html`<h2>${t.reschedule}</h2>${actionForm(c, '/console/decommission/reschedule', t.reschedule, atField(), { name: t.reschedule })}` : ''}`;
  return layout(c, t.title, body, flash);
}
