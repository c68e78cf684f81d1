import type { EventView } from '../../contract/views';
import { html, qs, type Html } from '../../http/html';
import { statusWord } from '../i18n';
import { field, hk, layout, type PageContext } from './layout';

/** The audit trail: a table of events (a folder's page shows one too) and the trail's own page, filtered and paged. */

export function eventsTable(c: PageContext, events: EventView[]): Html {
  const { w } = c;
  if (events.length === 0) return html`<p>${w.events.empty}</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">${w.col.at}</th><th scope="col">${w.col.actor}</th><th scope="col">${w.col.what}</th><th scope="col">${w.col.from}</th><th scope="col">${w.col.to}</th><th scope="col">${w.col.reason}</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${hk(e.at)}</td><td>${e.actor}</td><td>${e.entityType} ${e.entityId}</td><td>${statusWord(w, e.from)}</td><td>${statusWord(w, e.to)}</td><td>${e.reason ?? ''}</td></tr>`)}</tbody></table></div>`;
}

/** What the audit trail can be filtered by (one at a time). */
export const EVENT_FILTERS = ['folder', 'batch', 'participant', 'operator'] as const;

export function eventsPage(
  c: PageContext,
  filter: Record<string, string>,
  page: number,
  events: EventView[],
  pageSize: number,
  error?: string,
): Html {
  const { w } = c;
  const keys = EVENT_FILTERS;
  const labels = {
    folder: w.col.folder,
    batch: w.col.batch,
    participant: w.col.participant,
    operator: w.col.actor,
  };
  const current = keys.find((k) => filter[k]);
  const body = html`<form method="get" action="/console/events" class="inline">
${field(w.events.by, (a) => html`<select${a} name="by"><option value="">${w.events.any}</option>${keys.map((k) => html`<option value="${k}"${k === current ? html` selected` : ''}>${labels[k]}</option>`)}</select>`)}
${field(w.events.filter, (a) => html`<input${a} name="value" value="${current ? filter[current] : ''}" maxlength="64">`)}
<button type="submit" class="secondary">${w.events.filter}</button></form>
${eventsTable(c, events)}
<nav class="pager" aria-label="${w.events.page(page)}">${page > 1 ? html`<a href="/console/events${qs({ ...filter, page: page - 1 })}">${w.events.newer}</a>` : ''}<span>${w.events.page(page)}</span>${events.length === pageSize ? html`<a href="/console/events${qs({ ...filter, page: page + 1 })}">${w.events.older}</a>` : ''}</nav>`;
  return layout(c, w.events.title, body, { error });
}
