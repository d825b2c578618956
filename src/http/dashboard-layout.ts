/** A page of the dashboard: a static shell the page's script fills from the API. */
export interface DashboardPage {
  /** the tab's title, before "· Slipway" (plain text, never from a user) */
  readonly title: string;
  /** which entry of the navigation is current */
  readonly nav: string;
  /** the static markup inside <main> (never anything from a user: scripts fill it with textContent) */
  readonly main: string;
  /** `/assets/<name>.js` files this page runs after the shared `common.js` */
  readonly scripts: readonly string[];
}

/** The navigation, in order: label and path. Pages add their row here. */
export const NAV: readonly { readonly label: string; readonly path: string }[] = [
  { label: 'Builds', path: '/' },
  { label: 'Environments', path: '/environments' },
  { label: 'Queues', path: '/queues' },
];

/** What every page's scripts may read from `<body data-…>` (set by the server, not by users). */
export interface PageContext {
  /** where commits are shown: `https://github.com` or a GitHub Enterprise host (`…/<owner>/<repo>/commit/<sha>`) */
  readonly githubWebUrl: string;
  /** whether `POST /api/builds/:id/cancel` and `/rerun` are served */
  readonly buildActions: boolean;
  /** `/auth/github/login` when GitHub sign-in is set up */
  readonly signIn?: string;
  /** the person signed in on this request, with the CSRF token their state-changing requests send */
  readonly session?: { readonly login: string; readonly csrf: string };
}

const ICON = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M1 12h14L12 4H4z' fill='%230969da'/%3E%3C/svg%3E";

/**
 * The HTML of a dashboard page. Nothing a user wrote is put in it: the scripts read the API and
 * insert what came from users with textContent only, and the Content-Security-Policy sent with it
 * (`dashboardPolicy`) runs no inline script at all.
 */
export function dashboardHtml(page: DashboardPage, context: PageContext): string {
  const nav = NAV.map((n) => `<a href="${n.path}"${n.label === page.nav ? ' aria-current="page"' : ''}>${n.label}</a>`).join('');
  const scripts = ['common', ...page.scripts].map((s) => `<script src="/assets/${s}.js" defer></script>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${page.title} · Slipway</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="${ICON}"><link rel="stylesheet" href="/assets/dashboard.css">${scripts}</head>
<body ${bodyData(context)}>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/">Slipway</a><nav aria-label="Pages">${nav}</nav><span class="who" id="who"></span></header>
<main id="main" tabindex="-1">${page.main}</main>
</body></html>
`;
}

/** The Content-Security-Policy of every dashboard page: scripts, styles and requests from this server only. */
export const DASHBOARD_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The context as `data-*` attributes (a page's own HTML is readable only by this origin, so the CSRF token may sit in it). */
function bodyData(c: PageContext): string {
  const data: Record<string, string | undefined> = { github: c.githubWebUrl, 'build-actions': String(c.buildActions), 'sign-in': c.signIn, login: c.session?.login, csrf: c.session?.csrf };
  return Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `data-${k}="${attribute(v!)}"`)
    .join(' ');
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
