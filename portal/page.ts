/**
 * "Which folders are on ECP 2.0?" — one self-contained page (no framework): search, market filter, badges,
 * English / 繁體中文, readable on a phone. It reads /api/folders and /api/batches from the same origin.
 */
export const PORTAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Which folders are on ECP 2.0?</title>
<style>
body{font-family:system-ui,"Noto Sans TC","Microsoft JhengHei",sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#0b3d6e;color:#fff;padding:1rem}header h1{margin:0;font-size:1.3rem}
main{padding:1rem;max-width:60rem;margin:auto}
.controls{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}
input,select,button{font-size:1rem;padding:.45rem;border:1px solid #aab;border-radius:.3rem}
input{flex:1 1 14rem}
ul{list-style:none;padding:0;margin:0}li{background:#fff;border-radius:.4rem;padding:.7rem;margin-bottom:.5rem;box-shadow:0 1px 2px #0002}
.code{font-weight:600}.market{color:#555;font-size:.9rem}
.badge{display:inline-block;margin-top:.3rem;padding:.15rem .5rem;border-radius:1rem;font-size:.85rem}
.live{background:#d7f5dd;color:#0b5d1e}.moving{background:#fff1c2;color:#6b4d00}.legacy{background:#e6e8ef;color:#333}.retired{background:#f3e0e0;color:#6b1d1d}
footer{padding:1rem;text-align:center;font-size:.9rem}
</style></head>
<body>
<header><h1 id="title">Which folders are on ECP 2.0?</h1></header>
<main>
<div class="controls">
<input id="q" type="search" aria-label="search" placeholder="Search by folder name or code">
<select id="market" aria-label="market"><option value="" id="all-markets">All markets</option></select>
<button id="lang" type="button">繁體中文</button>
</div>
<p id="summary" aria-live="polite"></p>
<ul id="folders"></ul>
</main>
<footer><a id="appendix" href="/appendix/7.3">Appendix 7.3</a></footer>
<script>
const T = {
  en: { title: 'Which folders are on ECP 2.0?', q: 'Search by folder name or code', all: 'All markets', other: '繁體中文',
    live: (d) => 'On ECP 2.0 since ' + d, born: 'On ECP 2.0', moving: (d) => 'Moving to ECP 2.0 on ' + d, legacy: 'On legacy ECP; move to be announced',
    retired: 'Retired at decommission', retiring: (d) => 'Retires on ' + d + ' (not moved to ECP 2.0)', wasRetired: (d) => 'Retired since ' + d + ' (not on ECP 2.0)', summary: (n, l) => n + ' folders, ' + l + ' on ECP 2.0', appendix: 'Appendix 7.3: folders migrated to ECP 2.0' },
  'zh-Hant': { title: '哪些文件夾已轉移至 e 通訊 2.0？', q: '以文件夾名稱或代號搜尋', all: '所有市場', other: 'English',
    live: (d) => '自 ' + d + ' 起於 e 通訊 2.0', born: '於 e 通訊 2.0', moving: (d) => '將於 ' + d + ' 轉移至 e 通訊 2.0', legacy: '仍於現有 e 通訊；轉移時間表將於稍後公布',
    retired: '停用時撤銷', retiring: (d) => '將於 ' + d + ' 撤銷（不會轉移至 e 通訊 2.0）', wasRetired: (d) => '自 ' + d + ' 起撤銷（不在 e 通訊 2.0）', summary: (n, l) => '共 ' + n + ' 個文件夾，' + l + ' 個已於 e 通訊 2.0', appendix: '附錄 7.3：已轉移至 e 通訊 2.0 的文件夾' },
};
let lang = new URLSearchParams(location.search).get('lang') === 'zh-Hant' ? 'zh-Hant' : 'en';
let folders = [];
const hk = (iso) => new Date(iso).toLocaleString('sv-SE', { timeZone: 'Asia/Hong_Kong' }).slice(0, 16) + ' HKT';
function badge(f) {
  const t = T[lang];
  if (f.placement === 'live') return ['live', t.live(hk(f.liveSince))];
  if (f.placement === 'new_on_2_0') return ['live', t.born];
  if (f.retiredAt) return ['retired', t.wasRetired(hk(f.retiredAt))];
  if (f.retirement) return ['legacy', t.retiring(hk(f.retirement.at))];
  if (f.placement === 'retired') return ['legacy', t.retired];
  if (f.plannedMove) return ['moving', t.moving(hk(f.plannedMove.at))];
  return ['legacy', t.legacy];
}
function render() {
  const t = T[lang];
  document.documentElement.lang = lang;
  document.title = t.title;
  document.getElementById('title').textContent = t.title;
  document.getElementById('q').placeholder = t.q;
  document.getElementById('all-markets').textContent = t.all;
  document.getElementById('lang').textContent = t.other;
  document.getElementById('appendix').textContent = t.appendix;
  const q = document.getElementById('q').value.trim().toLowerCase();
  const market = document.getElementById('market').value;
  const shown = folders.filter((f) => (!market || f.market === market) &&
    (!q || f.code.toLowerCase().includes(q) || f.name.en.toLowerCase().includes(q) || f.name['zh-Hant'].includes(q)));
  const list = document.getElementById('folders');
  list.replaceChildren(...shown.map((f) => {
    const li = document.createElement('li');
    const [cls, text] = badge(f);
    li.innerHTML = '<div><span class="code"></span> — <span class="name"></span></div><div class="market"></div><span class="badge"></span>';
    li.dataset.code = f.code;
    li.querySelector('.code').textContent = f.code;
    li.querySelector('.name').textContent = f.name[lang];
    li.querySelector('.market').textContent = f.market;
    li.querySelector('.badge').textContent = text;
    li.querySelector('.badge').classList.add(cls);
    return li;
  }));
  const live = shown.filter((f) => f.placement === 'live' || f.placement === 'new_on_2_0').length;
  document.getElementById('summary').textContent = t.summary(shown.length, live);
}
async function load() {
  folders = (await (await fetch('/api/folders')).json()).folders;
  const markets = [...new Set(folders.map((f) => f.market))].sort();
  const select = document.getElementById('market');
  for (const m of markets) { const o = document.createElement('option'); o.value = m; o.textContent = m; select.append(o); }
  render();
}
document.getElementById('q').addEventListener('input', render);
document.getElementById('market').addEventListener('change', render);
document.getElementById('lang').addEventListener('click', () => { lang = lang === 'en' ? 'zh-Hant' : 'en'; render(); });
load();
</script>
</body></html>
`;
