import { html, qs, type Html } from '../../http/html';
import { field, layout, type PageContext } from './layout';

/** The sign-in page: a token form (token mode) and/or the identity provider's link (OIDC mode). */
export function signInPage(
  c: PageContext,
  opts: { pre: string; next: string; oidc: boolean; token: boolean; error?: string },
): Html {
  const { w } = c;
  const body = html`${
    opts.token
      ? html`<form method="post" action="/console/sign-in">
<input type="hidden" name="_pre" value="${opts.pre}"><input type="hidden" name="next" value="${opts.next}">
${field(w.signIn.token, (a) => html`<input${a} name="token" type="password" autocomplete="current-password" required maxlength="200" spellcheck="false">`, { help: w.signIn.tokenHelp })}
<button type="submit">${w.signIn.submit}</button></form>`
      : ''
  }
${opts.oidc ? html`<p><a href="/console/oidc/start${qs({ next: opts.next })}">${w.signIn.oidc}</a></p>` : ''}`;
  return layout(c, w.signIn.title, body, { error: opts.error });
}
