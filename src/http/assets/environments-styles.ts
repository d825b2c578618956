/**
 * The Environments and Releases pages' part of `/assets/dashboard.css`: a service's environments
 * as cards that wrap (one column on a phone), the waiting deploy set apart, long digests wrapping.
 * Colours meet WCAG AA on their backgrounds, like the rest of the sheet.
 */
export const ENVIRONMENTS_CSS = `
header nav{display:flex;flex-wrap:wrap;gap:4px 14px}
section.service{margin:0 0 20px}
.envs{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,320px),1fr));gap:12px}
section.env{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px;display:flex;flex-direction:column;gap:6px;min-width:0}
section.env h3{margin:0;font-size:1.05rem;display:flex;flex-wrap:wrap;gap:6px;align-items:center}
section.env p{margin:0}
section.env .meta{margin:0}
.tag{font-size:.75rem;font-weight:600;border:1px solid #9a6700;color:#7d4e00;border-radius:10px;padding:0 8px}
.waiting-title{font-weight:600}
.waiting{border-left:4px solid #9a6700;background:#fff8c5;padding:6px 8px;border-radius:4px}
.digest{overflow-wrap:anywhere;word-break:break-all}
.env-actions{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-top:auto;padding-top:6px}
.env-actions a{margin-right:auto}
dialog label{display:block;margin:8px 0 4px;color:#57606a}
dialog select{width:100%}
@media (max-width:700px){
 table.releases thead{display:none}
 table.releases,table.releases tbody,table.releases tr,table.releases td{display:block;width:100%}
 table.releases tr{border-bottom:1px solid #d0d7de;padding:6px 0}
 table.releases td{border:0;padding:2px 8px}
 table.releases td[data-label]:not([data-label=""])::before{content:attr(data-label) ": ";color:#57606a;font-size:.85rem}
}
`;
