import type { ReplyOf } from '../../contract/api';
import type { FolderView } from '../../contract/views';
import { html, qs, type Html } from '../../http/html';
import { statusWord } from '../i18n';
import { eventsTable } from './events';
import { actionForm, badge, can, field, hk, layout, reasonField, type PageContext } from './layout';

/** The folders: the catalog with where each lives, and one folder with its moves, drift and pending requests. */

export function foldersPage(
  c: PageContext,
  folders: FolderView[],
  status: string | undefined,
  placements: readonly string[],
): Html {
  const { w } = c;
  const body = html`<form method="get" action="/console/folders" class="inline">${field(w.folders.filter, (a) => html`<select${a} name="status"><option value="">${w.folders.all}</option>${placements.map((p) => html`<option value="${p}"${p === status ? html` selected` : ''}>${statusWord(w, p)}</option>`)}</select>`)}<button type="submit" class="secondary">${w.folders.filter}</button></form>
<div class="scroll"><table><thead><tr><th scope="col">${w.col.code}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.market}</th><th scope="col">${w.col.placement}</th><th scope="col">${w.col.since}</th><th scope="col">${w.col.batch}</th></tr></thead>
<tbody>${folders.map((f) => html`<tr data-folder="${f.code}"><th scope="row"><a href="/console/folders/${encodeURIComponent(f.code)}">${f.code}</a></th><td>${c.lang === 'zh-Hant' ? f.nameZh : f.nameEn}</td><td>${f.market}</td><td>${badge(w, f.placement)}${f.drifts.length ? html` <span class="badge s-failed">${statusWord(w, 'drift')}</span>` : ''}</td><td>${hk(f.liveSince ?? f.placementChangedAt)}</td><td>${f.plannedBatch ? html`<a href="/console/batches/${encodeURIComponent(f.plannedBatch.id)}">${f.plannedBatch.id}</a> ${hk(f.plannedBatch.plannedAt)}` : '-'}</td></tr>`)}</tbody></table></div>`;
  return layout(c, w.folders.title, body);
}

type FolderDetail = ReplyOf<'GET /api/folders/{code}'>;

export function folderPage(c: PageContext, d: FolderDetail, flash?: { ok?: string; error?: string }): Html {
  const { w } = c;
  const f = d.folder;
  const code = encodeURIComponent(f.code);
  const pending = d.pending.map(
    (
      p,
    ) => html`<li>${w.folder.pendingLine(w.folder.kinds[p.kind], p.requestedBy, hk(p.at))}${p.reason ? html` — ${p.reason}` : ''}
${can(c, p.kind === 'repair' ? 'repair.approve' : 'switch_back.approve', [p.requestedBy]) ? html`<div>${actionForm(c, `/console/folders/${code}/${p.kind === 'repair' ? 'repair' : 'switch-back'}/approve`, w.folder.approve)}${actionForm(c, `/console/folders/${code}/${p.kind === 'repair' ? 'repair' : 'switch-back'}/reject`, w.folder.reject, reasonField(c), { name: w.folder.reject })}</div>` : ''}</li>`,
  );
  const body = html`<dl class="facts"><dt>${w.col.name}</dt><dd>${f.nameEn} / <span lang="zh-Hant">${f.nameZh}</span></dd><dt>${w.col.market}</dt><dd>${f.market}</dd>
<dt>${w.col.placement}</dt><dd id="placement" data-placement="${f.placement}">${badge(w, f.placement)}</dd><dt>${w.col.since}</dt><dd>${hk(f.liveSince ?? f.placementChangedAt)}</dd>
<dt>${w.folder.plannedIn}</dt><dd>${f.plannedBatch ? html`<a href="/console/batches/${encodeURIComponent(f.plannedBatch.id)}">${f.plannedBatch.id}</a> (${statusWord(w, f.plannedBatch.status)}, ${hk(f.plannedBatch.plannedAt)})` : '-'}</dd>
${f.lastFailure ? html`<dt>${w.col.failure}</dt><dd>${f.lastFailure}</dd>` : ''}</dl>
${d.drifts.length ? html`<h2>${w.folder.drifts}</h2><ul>${d.drifts.map((x) => html`<li>${badge(w, x.resolvedAt ? 'resolved' : 'open')} ${hk(x.detectedAt)}${x.resolvedAt ? ` → ${hk(x.resolvedAt)}` : ''}: ${statusWord(w, x.kind)} — ${x.detail}</li>`)}</ul>` : ''}
${d.pending.length ? html`<h2>${w.folder.pending}</h2><ul>${pending}</ul>` : ''}
${f.placement === 'live' && can(c, 'switch_back.request') && !d.pending.some((p) => p.kind === 'switch_back') ? html`<h2>${w.folder.switchBack}</h2><p class="note">${w.folder.switchBackHelp}</p>${actionForm(c, `/console/folders/${code}/switch-back`, w.folder.request, reasonField(c), { name: w.folder.switchBack })}` : ''}
<h2>${w.folder.runs}</h2>${
    d.runs.length
      ? html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.run}</th><th scope="col">${w.col.batch}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.step}</th><th scope="col">${w.col.started}</th><th scope="col">${w.col.finished}</th><th scope="col">${w.col.failure}</th></tr></thead>
<tbody>${d.runs.map((r) => html`<tr><td>${r.kind}</td><td>${r.batchId ?? '-'}</td><td>${badge(w, r.status)}</td><td>${statusWord(w, r.step)}</td><td>${hk(r.startedAt)}</td><td>${hk(r.finishedAt)}</td><td>${r.failure ?? ''}</td></tr>`)}</tbody></table></div>`
      : html`<p>${w.none}</p>`
  }
<h2>${w.folder.timeline}</h2>${eventsTable(c, d.events)}<p><a href="/console/events${qs({ folder: f.code })}">${w.folder.more}</a></p>
${can(c, 'repair.request') && !d.pending.some((p) => p.kind === 'repair') ? html`<h2>${w.folder.repair}</h2>${actionForm(c, `/console/folders/${code}/repair`, w.folder.request, html`${field(w.folder.repairTo, (a) => html`<select${a} name="to"><option value="legacy">${statusWord(w, 'legacy')}</option><option value="live">${statusWord(w, 'live')}</option></select>`)}${reasonField(c)}`, { name: w.folder.repair })}` : ''}`;
  return layout(c, w.folder.title(f.code), body, flash);
}
