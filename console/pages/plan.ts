import type { ReplyOf } from '../../contract/api';
import type { Problem } from '../../contract/errors';
import { html, trusted, type Html } from '../../http/html';
import { dryRunTable } from './batches';
import { field, hk, layout, type PageContext } from './layout';

/** The plan form: every field with its problems beside it, and the preview (a dry run of the plan). */
export interface PlanFormState {
  values: Record<string, string>;
  problems: Problem[];
  preview?: ReplyOf<'POST /api/batches/preview'>;
  error?: string;
}

export function planPage(c: PageContext, s: PlanFormState): Html {
  const { w } = c;
  const f = w.planForm;
  const v = (k: string) => s.values[k] ?? '';
  const of = (field: string) => s.problems.filter((p) => p.field === field).map((p) => p.message);
  const text = (name: string, label: string, help?: string, attrs = '') =>
    field(label, (a) => html`<input${a} name="${name}" value="${v(name)}"${trusted(attrs)}>`, {
      help,
      problems: of(name),
    });
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
${
  preview
    ? html`<section aria-labelledby="preview-h" id="preview"><h2 id="preview-h">${f.previewTitle}</h2>
<p role="status">${preview.ok ? f.previewOk : f.problems(s.problems.length)}</p>
<dl class="facts"><dt>${w.approve.instant}</dt><dd>${hk(preview.plannedAt)}</dd><dt>${w.approve.firms}</dt><dd id="preview-firms">${preview.affected}</dd><dt>${w.approve.gaps}</dt><dd>${preview.notReady}</dd></dl>
${dryRunTable(
  c,
  preview.folders.map((x) => ({
    code: x.code,
    name: x.name,
    affected: x.affected,
    notReady: x.notReady,
    firms: x.notReadyFirms,
  })),
)}
<h3>${w.approve.steps}</h3><ol>${preview.steps.map((x) => html`<li>${x}</li>`)}</ol></section>`
    : ''
}`;
  return layout(c, f.title, body, { error: s.error });
}
