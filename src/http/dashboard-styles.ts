/**
 * The dashboard's one stylesheet (`/assets/dashboard.css`). Colours meet WCAG AA contrast on their
 * backgrounds; every focusable thing shows its focus; the page is the only scroll container (the
 * log grows in the page, and its long lines wrap rather than scroll sideways).
 */
export const DASHBOARD_CSS = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
a{color:#0550ae}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
header{background:#24292f;color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center}
header a{color:#fff;text-decoration:none;padding:4px 2px}
header a[aria-current=page]{border-bottom:2px solid #fff}
header .brand{font-weight:700;margin-right:8px}
header .who{margin-left:auto;display:flex;gap:8px;align-items:center}
main{padding:16px;max-width:1200px;margin:0 auto}
h1{font-size:1.35rem;margin:0 0 12px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
h2{font-size:1.1rem;margin:20px 0 8px}
button,.button{font:inherit;text-decoration:none;display:inline-flex;align-items:center;border:1px solid #8c959f;background:#fff;color:#1f2328;border-radius:6px;padding:5px 12px;cursor:pointer;min-height:36px}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}
button.danger{background:#fff;border-color:#cf222e;color:#a40e26}
button:disabled{opacity:.6;cursor:default}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:.85rem;color:#57606a}
input,select{font:inherit;padding:5px 8px;border:1px solid #8c959f;border-radius:6px;background:#fff;color:#1f2328;min-height:36px;min-width:0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{border-bottom:1px solid #d0d7de;padding:8px;text-align:left;vertical-align:top}
th{font-size:.85rem;color:#57606a;font-weight:600}
td.msg{overflow-wrap:anywhere;min-width:12em}
td[data-label=State]{white-space:nowrap}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.state{font-weight:600;white-space:nowrap}
.passed,.succeeded{color:#1a7f37}.failed,.error,.rolled_back{color:#cf222e}
.running,.queued,.held{color:#9a6700}.cancelled,.skipped,.pending,.not-run{color:#57606a}
.deploys{display:flex;flex-wrap:wrap;gap:4px 10px;list-style:none;margin:0;padding:0}
.muted{color:#57606a}
.pager{display:flex;gap:16px;margin:12px 0}
[role=status]:empty{display:none}
.notice{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px;margin:8px 0}
.notice.bad{background:#ffebe9;border-color:#cf222e}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0 0 8px}
.meta dt{color:#57606a}.meta dd{margin:0;overflow-wrap:anywhere}
#image{overflow-wrap:anywhere}
.message{white-space:pre-wrap}
ol.timeline{list-style:none;display:flex;flex-wrap:wrap;gap:0;padding:0;margin:0}
ol.timeline li{display:flex;flex-direction:column;padding:6px 14px;background:#fff;border:1px solid #d0d7de;margin:0 -1px -1px 0;min-width:7.5em}
ol.timeline li:first-child{border-radius:6px 0 0 6px}ol.timeline li:last-child{border-radius:0 6px 6px 0}
ol.timeline .name{font-weight:600}
.titlebar{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:flex-start;margin-bottom:12px}.titlebar h1{margin:0}
.actions{display:flex;gap:8px;margin-left:auto}
.logbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
.log{background:#0d1117;color:#e6edf3;border-radius:6px;padding:8px 0;font:12.5px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.log .line{display:flex;padding:0 12px 0 0;content-visibility:auto;contain-intrinsic-size:auto 19px}
.log .line:target,.log .line.hit{background:#3a2f00}
.log .line.current{outline:1px solid #d29922}
.log .ln{flex:none;width:4.5em;padding-right:12px;text-align:right;color:#8b949e;text-decoration:none;user-select:none}
.log .ln:hover{color:#e6edf3}
.log .text{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0;flex:1}
button.earlier{margin:0 0 8px}
button.earlier[hidden]{display:none}
.log .cut{color:#8b949e;font-style:italic}
.ansi-bold{font-weight:700}.ansi-dim{opacity:.7}.ansi-italic{font-style:italic}.ansi-underline{text-decoration:underline}
.fg-0{color:#8b949e}.fg-1{color:#ff7b72}.fg-2{color:#7ee787}.fg-3{color:#e3b341}.fg-4{color:#79c0ff}.fg-5{color:#d2a8ff}.fg-6{color:#76e3ea}.fg-7{color:#e6edf3}
.bg-0{background:#484f58}.bg-1{background:#8e1519}.bg-2{background:#0f5323}.bg-3{background:#693e00}.bg-4{background:#0c2d6b}.bg-5{background:#5a1e8c}.bg-6{background:#0a4a52}.bg-7{background:#b1bac4;color:#0d1117}
dialog{border:1px solid #8c959f;border-radius:8px;max-width:min(34em,92vw);padding:16px}
dialog::backdrop{background:rgba(0,0,0,.4)}
dialog .buttons{display:flex;gap:8px;justify-content:flex-end;margin-top:16px}
@media (max-width:700px){
 main{padding:10px}
 table.cards thead{display:none}
 table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
 table.cards tr{border-bottom:1px solid #d0d7de;padding:6px 0}
 table.cards td{border:0;padding:2px 8px}
 table.cards td[data-label]::before{content:attr(data-label) ": ";color:#57606a;font-size:.85rem}
 table.cards td.msg{min-width:0}
 ol.timeline{flex-wrap:nowrap}
 ol.timeline li{flex:1 1 0;min-width:0;padding:6px 8px}
 .log .ln{width:3.2em;padding-right:8px}
}
`;
