import type { ReplyOf } from '../../contract/api';
import { html, type Html } from '../../http/html';
import { statusWord } from '../i18n';
import { badge, field, hk, layout, type PageContext } from './layout';

/** The support desk's pages: the search for a firm, and a firm's folders, users and notices. */

export function participantsPage(
  c: PageContext,
  q: string,
  found: { code: string; nameEn: string; nameZh: string | null; userTypes: string[] }[] | null,
  error?: string,
): Html {
  const { w } = c;
  const body = html`<form method="get" action="/console/participants" role="search" class="inline">${field(w.participants.search, (a) => html`<input${a} name="q" value="${q}" required minlength="2" maxlength="100" type="search">`)}<button type="submit">${w.participants.find}</button></form>
${
  found === null
    ? ''
    : found.length === 0
      ? html`<p>${w.participants.empty}</p>`
      : html`<p role="status">${w.participants.results(found.length)}</p><div class="scroll"><table><thead><tr><th scope="col">${w.col.participant}</th><th scope="col">${w.col.name}</th><th scope="col">${w.col.userTypes}</th></tr></thead>
<tbody>${found.map((p) => html`<tr><th scope="row"><a href="/console/participants/${p.code}">${p.code}</a></th><td>${p.nameEn}${p.nameZh ? html` / <span lang="zh-Hant">${p.nameZh}</span>` : ''}</td><td>${p.userTypes.join(', ')}</td></tr>`)}</tbody></table></div>`
}`;
  return layout(c, w.participants.title, body, { error });
}

type ParticipantData = ReplyOf<'GET /api/participants/{participant}'>;

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
${
  d.notices.length === 0
    ? html`<p>${w.none}</p>`
    : html`<div class="scroll"><table id="participant-notices"><thead><tr><th scope="col">${w.col.kind}</th><th scope="col">${w.col.folders}</th><th scope="col">${w.col.status}</th><th scope="col">${w.col.sentAt}</th><th scope="col">${w.col.recipients}</th><th scope="col">${w.participant.attempts}</th></tr></thead>
<tbody>${d.notices.map((n) => html`<tr data-kind="${n.kind}" data-status="${n.status}"><td>${statusWord(w, n.kind)}<div class="note">${n.subject}</div></td><td>${n.folders.join(', ')}</td><td>${badge(w, n.status)}</td><td>${hk(n.sentAt)}</td><td>${n.to.join(', ')}</td><td>${n.attempts.map((a) => html`<div>${hk(a.at)} ${statusWord(w, a.outcome)}${a.smtp ? ` (${a.smtp.slice(0, 80)})` : ''}</div>`)}</td></tr>`)}</tbody></table></div>`
}`;
  return layout(c, w.participant.title(p.code, c.lang === 'zh-Hant' && p.nameZh ? p.nameZh : p.nameEn), body);
}
