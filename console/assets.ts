/**
 * The console's only style sheet and script, served from /console/assets/ (the Content-Security-Policy
 * allows scripts and styles from the console's own origin only: nothing inline, nothing from elsewhere).
 * The script does one thing: a section marked data-live refreshes itself from the server every 2 s until
 * the server marks it final, so the batch page follows a running batch without a reload.
 */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,"Noto Sans TC","Microsoft JhengHei","WenQuanYi Zen Hei",sans-serif;margin:0;color:#1b1b1b;background:#f5f6f8;line-height:1.45}
a{color:#0b4f8a}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.4rem;z-index:2}
header{background:#0b3d6e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.6rem 1.2rem;align-items:center}
header .app{font-weight:700;color:#fff;text-decoration:none}
header nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.2rem .9rem;margin:0;padding:0}
header nav a{color:#fff}header nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header .who{margin-left:auto;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;font-size:.9rem}
header .who a{color:#fff}header form{margin:0}
header button{background:#fff;color:#0b3d6e;border:0}
main{padding:1rem;max-width:72rem;margin:auto}
h1{font-size:1.45rem;margin:.3rem 0 .8rem}h2{font-size:1.15rem;margin:1.4rem 0 .5rem}
.note{color:#4a4a4a;font-size:.9rem}
table{border-collapse:collapse;width:100%;background:#fff;margin:.4rem 0 1rem;font-size:.93rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #d9dce3;vertical-align:top}
th{background:#e9edf3}
.scroll{overflow-x:auto}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.85rem;background:#e6e8ef;color:#222;white-space:nowrap}
.s-completed,.s-live,.s-succeeded,.s-sent,.s-pass,.s-resolved{background:#d7f5dd;color:#0b5d1e}
.s-running,.s-cutting_over,.s-rolling_back,.s-aborting,.s-announced,.s-approved,.s-scheduled{background:#dbe9fb;color:#0b3d6e}
.s-awaiting_approval,.s-paused,.s-blocked_on_readiness,.s-pending,.s-queued{background:#fff1c2;color:#5c4200}
.s-failed,.s-aborted,.s-rejected,.s-expired,.s-refused,.s-compensated,.s-completed_with_failures,.s-bounced,.s-blocked,.s-block,.s-open{background:#f8dcdc;color:#7a1616}
form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:flex-end;margin:.2rem .6rem .6rem 0}
fieldset{border:1px solid #c9ced8;background:#fff;border-radius:.4rem;margin:0 0 1rem;padding:.6rem 1rem}
legend{font-weight:600}
.field{display:flex;flex-direction:column;margin:.5rem 0;max-width:40rem}
.field label{font-weight:600}.field .help{font-size:.85rem;color:#4a4a4a}
.field.check{flex-direction:row;gap:.5rem;align-items:center}
input,select,textarea,button{font:inherit;padding:.4rem .5rem;border:1px solid #8a93a3;border-radius:.3rem;background:#fff;color:#1b1b1b}
button{background:#0b4f8a;color:#fff;border-color:#0b4f8a;cursor:pointer}
button.secondary{background:#fff;color:#0b4f8a}
button.danger{background:#9b1c1c;border-color:#9b1c1c}
.problem{color:#8a1010;font-weight:600;font-size:.9rem;margin:.15rem 0}
.invalid{border-color:#8a1010;border-width:2px}
.flash{padding:.6rem .8rem;border-radius:.3rem;margin:.5rem 0 1rem}
.flash.ok{background:#d7f5dd;color:#0b5d1e}.flash.err{background:#f8dcdc;color:#7a1616}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;background:#fff;padding:.7rem 1rem;border-radius:.4rem;margin:.4rem 0 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.pager{display:flex;gap:1rem;align-items:center}
@media (max-width:40rem){header .who{margin-left:0}dl.facts{grid-template-columns:1fr}}
.timeline{border:1px solid #d9dce3;background:#fff;margin:.4rem 0 1rem}.sr{position:absolute;left:-9999px}
@media print{header nav,header .who,.skip,form,.note a{display:none}body{background:#fff}main{max-width:none;padding:0}section{break-inside:avoid}table{font-size:9pt}}
`;

export const CONSOLE_JS = `'use strict';
(function () {
  function follow(el) {
    var url = el.getAttribute('data-live');
    if (!url || el.getAttribute('data-final') === 'true') return;
    setTimeout(function () {
      fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } }).then(function (r) {
        if (r.status === 401) { location.reload(); return null; }
        return r.ok ? r.text() : null;
      }).then(function (text) {
        if (text === null || text === undefined) return follow(el);
        var box = document.createElement('div');
        box.innerHTML = text;
        var next = box.firstElementChild;
        if (!next) return follow(el);
        el.replaceWith(next);
        follow(next);
      }, function () { follow(el); });
    }, 2000);
  }
  document.querySelectorAll('[data-live]').forEach(follow);
  document.querySelectorAll('form[data-confirm]').forEach(function (f) {
    f.addEventListener('submit', function (e) { if (!confirm(f.getAttribute('data-confirm'))) e.preventDefault(); });
  });
})();
`;
