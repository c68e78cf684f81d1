import type { Operator } from '../../app/context';
import { may, type Permission } from '../../domain/permissions';
import { formatHk } from '../../domain/time';
import { html, qs, type Html } from '../../http/html';
import { statusWord, type Lang, type Words } from '../i18n';

/**
 * What every page of the console shares: its context, the frame around it (header, navigation, language,
 * sign-out, flash), and the pieces its forms are made of. Each family of pages has a file beside this one.
 */

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

/** An instant in Hong Kong time, or '-'. */
export const hk = (v: string | Date | null | undefined) => (v ? formatHk(v) : '-');
export const badge = (w: Words, s: string | null | undefined) =>
  html`<span class="badge s-${s ?? 'none'}">${statusWord(w, s)}</span>`;
/** What the signed-in operator may do here (domain/permissions.ts): a courtesy, the server refuses the rest anyway. */
export const can = (c: PageContext, command: Permission, editors: readonly string[] = []) =>
  Boolean(c.op && may(c.op, command, editors));

export function layout(
  c: PageContext,
  title: string,
  body: Html,
  flash?: { ok?: string; error?: string },
): Html {
  const { w } = c;
  const other: Lang = c.lang === 'en' ? 'zh-Hant' : 'en';
  const nav = c.op
    ? ([
        ['/console/batches', w.nav.batches],
        ['/console/folders', w.nav.folders],
        ['/console/participants', w.nav.participants],
        ['/console/decommission', w.nav.decommission],
        ['/console/events', w.nav.events],
      ] as const)
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
export function actionForm(
  c: PageContext,
  action: string,
  label: string,
  inner: Html | string = '',
  opts: { danger?: boolean; confirm?: string; name?: string; back?: string } = {},
): Html {
  return html`<form class="inline" method="post" action="${action}"${opts.confirm ? html` data-confirm="${opts.confirm}"` : ''}${opts.name ? html` aria-label="${opts.name}"` : ''}>
<input type="hidden" name="_csrf" value="${c.csrf}"><input type="hidden" name="_back" value="${opts.back ?? c.path}">${inner}
<button type="submit"${opts.danger ? html` class="danger"` : ''}>${label}</button></form>`;
}

let fieldSeq = 0; // ids unique within a page (rendered synchronously); wraps rather than grows
/** A labelled control; `input` gets the control's attributes (id, and what describes it: help, problems). */
export function field(
  label: string,
  input: (attrs: Html) => Html,
  opts: { help?: string; problems?: string[]; check?: boolean } = {},
): Html {
  const id = `f${(fieldSeq = (fieldSeq + 1) % 1_000_000)}`;
  const problems = opts.problems ?? [];
  const describedBy = [opts.help ? `${id}-help` : '', problems.length ? `${id}-problems` : '']
    .filter(Boolean)
    .join(' ');
  const control = input(
    html` id="${id}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${problems.length ? html` aria-invalid="true" class="invalid"` : ''}`,
  );
  return opts.check
    ? html`<div class="field check">${control}<label for="${id}">${label}</label></div>`
    : html`<div class="field"><label for="${id}">${label}</label>${control}${opts.help ? html`<span class="help" id="${id}-help">${opts.help}</span>` : ''}${problems.length ? html`<div id="${id}-problems">${problems.map((p) => html`<p class="problem">${p}</p>`)}</div>` : ''}</div>`;
}
export const reasonField = (c: PageContext) =>
  field(c.w.batch.reason, (a) => html`<input${a} name="reason" required minlength="3" maxlength="1000">`);

/** A refusal or an unexpected failure, as a page with the way back. */
export function errorPage(c: PageContext, message: string): Html {
  return layout(c, c.w.error.title, html`<p><a href="/console/batches">${c.w.nav.batches}</a></p>`, {
    error: message,
  });
}
