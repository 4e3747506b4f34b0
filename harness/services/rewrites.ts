/**
 * Where the outside world's URLs live inside the lab. A config written for the real world says
 * `curl -sfL https://get.k3s.io`; the renderer rewrites it with this table so the node fetches
 * the same thing from the mirror. The table is data: the renderer, the report and the tests
 * all read the same list.
 */
export interface UrlRewrite {
  /** `exact`: the URL itself (a trailing slash allowed); `prefix`: it and everything below it. */
  kind: 'exact' | 'prefix';
  from: string;
  /** Path on the mirror, joined to the mirror's base URL. */
  to: string;
  what: string;
}

export const urlRewrites: readonly UrlRewrite[] = [
  { kind: 'exact', from: 'https://get.k3s.io', to: '/k3s/install.sh', what: 'the K3s install script' },
  {
    kind: 'prefix',
    from: 'https://github.com/k3s-io/k3s/releases',
    to: '/k3s/releases',
    what: 'K3s release binaries (install.sh GITHUB_URL)',
  },
  ...['stable', 'beta', 'alpha', 'lts'].map(
    (channel): UrlRewrite => ({
      kind: 'prefix',
      from: `https://${channel}.release.flatcar-linux.net/amd64-usr`,
      to: '/flatcar/amd64-usr',
      what: `Flatcar ${channel} release server`,
    }),
  ),
];

function trimSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** The mirror URL for one URL, or the URL unchanged when no rule matches. */
export function rewriteUrl(url: string, baseUrl: string, table: readonly UrlRewrite[] = urlRewrites): string {
  const base = trimSlash(baseUrl);
  for (const r of table) {
    if (r.kind === 'exact' && (url === r.from || url === `${r.from}/`)) return base + r.to;
    if (r.kind === 'prefix' && (url === r.from || url.startsWith(`${r.from}/`))) return base + r.to + url.slice(r.from.length);
  }
  return url;
}

const urlInText = /https?:\/\/[^\s"'`<>()\\]+/g;

/** Every URL in a text (a Butane file, a unit, a script) rewritten; all other text untouched. */
export function rewriteUrlsInText(text: string, baseUrl: string, table: readonly UrlRewrite[] = urlRewrites): string {
  return text.replace(urlInText, (url) => rewriteUrl(url, baseUrl, table));
}
