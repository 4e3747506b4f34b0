/**
 * The harness's own additions to a user's config, kept as a separate Ignition config (the overlay)
 * that is merged on top. It never edits the user's template: it points remote URLs at the lab
 * mirror, gives user `core` the run's SSH key and tells install.sh where the releases are.
 */
import type { IgnDropin, IgnFile, IgnitionConfig, IgnUnit } from './ignitionTypes.ts';
import { parseUnit, unitValues } from './systemdUnit.ts';

export interface OverlayOptions {
  /** The mirror the lab really serves, e.g. http://10.0.0.5:8080 (no trailing slash). */
  mirrorBaseUrl: string;
  /** The PXE/HTTP server the user's templates name (`pxe_server`); rewritten when it differs from the mirror. */
  templateServerUrl: string;
  sshPublicKey?: string;
  /** INSTALL_K3S_VERSION for install.sh; without it install.sh asks the release channel (not in the lab). */
  k3sVersion?: string;
  /** Where `https://get.k3s.io` points in the lab; default <mirror>/k3s/install.sh. */
  installShUrl?: string;
  /** Pins flatcar-install's -V; default: what the mirror calls `current`. */
  labOsVersion?: string;
}

export interface UrlRewrite {
  from: string;
  to: string;
  why: string;
}

/** flatcar-install in the lab OS defaults to this base; other mirrors need `-b`. */
export const labOsDefaultInstallBase = 'http://10.0.0.5:8080/flatcar/amd64-usr';
export const overlayDropinName = '10-lab-mirror.conf';
export const installerDropinName = '10-lab-install-source.conf';

export function installShTarget(o: OverlayOptions): string {
  return o.installShUrl ?? `${o.mirrorBaseUrl}/k3s/install.sh`;
}

export function urlRewrites(o: OverlayOptions): UrlRewrite[] {
  const rules: UrlRewrite[] = [
    { from: 'https://get.k3s.io', to: installShTarget(o), why: 'install.sh comes from the lab mirror' },
    { from: 'https://github.com/k3s-io/k3s/releases/', to: `${o.mirrorBaseUrl}/k3s/releases/`, why: 'k3s releases come from the lab mirror (GitHub layout)' },
  ];
  if (o.templateServerUrl !== o.mirrorBaseUrl) {
    rules.push({ from: `${o.templateServerUrl}/`, to: `${o.mirrorBaseUrl}/`, why: 'the templates name the production PXE server; the lab serves the same layout elsewhere' });
  }
  return rules;
}

/** The seed keeps Ignition files at the server root; the lab serves them under /ignition/. */
function seedLayoutRewrite(url: string, o: OverlayOptions): string | undefined {
  const m = /^(.*)\/([a-z0-9-]+-ignite-(?:pxe|boot)\.ign)$/.exec(url);
  if (!m || m[1] !== o.mirrorBaseUrl) return undefined;
  return `${o.mirrorBaseUrl}/ignition/${m[2]}`;
}

export function rewriteUrl(url: string, o: OverlayOptions): { to: string; why: string } | undefined {
  let current = url;
  let why: string[] = [];
  for (const rule of urlRewrites(o)) {
    const exact = rule.from === current || rule.from === `${current}/`;
    if (exact || (rule.from.endsWith('/') && current.startsWith(rule.from))) {
      current = exact ? rule.to : rule.to + current.slice(rule.from.length);
      why.push(rule.why);
    }
  }
  const seed = seedLayoutRewrite(current, o);
  if (seed) {
    current = seed;
    why.push('Ignition configs are served under /ignition/');
  }
  return current === url ? undefined : { to: current, why: why.join('; ') };
}

function insertAfterFlatcarInstall(execStart: string, args: string): string {
  return execStart.replace(/\bflatcar-install\b/, `flatcar-install ${args}`);
}

export interface Overlay {
  config: IgnitionConfig;
  /** One line per change, for rewrites.txt and reports. */
  changes: string[];
}

export function buildOverlay(user: IgnitionConfig, o: OverlayOptions): Overlay {
  const changes: string[] = [];
  const files: IgnFile[] = [];
  const installShPaths: string[] = [];
  for (const f of user.storage?.files ?? []) {
    const source = f.contents?.source;
    if (!source) continue;
    const rewrite = rewriteUrl(source, o);
    if (!rewrite) continue;
    files.push({ path: f.path, contents: { source: rewrite.to } });
    changes.push(`file ${f.path}: ${source} -> ${rewrite.to} (${rewrite.why})`);
    if (rewrite.to === installShTarget(o)) installShPaths.push(f.path);
  }

  const units: IgnUnit[] = [];
  for (const u of user.systemd?.units ?? []) {
    const entries = parseUnit(u.contents ?? '');
    const execStarts = unitValues(entries, 'Service', 'ExecStart');
    const dropins: IgnDropin[] = [];
    if (installShPaths.some((p) => execStarts.some((e) => e.value.includes(p)))) {
      const env = [`Environment=GITHUB_URL=${o.mirrorBaseUrl}/k3s/releases`];
      if (o.k3sVersion) env.push(`Environment=INSTALL_K3S_VERSION=${o.k3sVersion}`);
      dropins.push({ name: overlayDropinName, contents: `# Added by the lab harness: k3s releases come from the lab mirror.\n[Service]\n${env.join('\n')}\n` });
      changes.push(`unit ${u.name}: drop-in ${overlayDropinName} sets ${env.map((e) => e.replace('Environment=', '')).join(' ')}`);
    }
    const installBase = `${o.mirrorBaseUrl}/flatcar/amd64-usr`;
    const needsInstallArgs = installBase !== labOsDefaultInstallBase || (o.labOsVersion !== undefined && o.labOsVersion !== 'current');
    const installerLine = execStarts.find((e) => /\bflatcar-install\b/.test(e.value) && !/\s-b\s/.test(e.value));
    if (needsInstallArgs && installerLine) {
      const args = [`-b ${installBase}`, ...(o.labOsVersion && o.labOsVersion !== 'current' ? [`-V ${o.labOsVersion}`] : [])].join(' ');
      const exec = insertAfterFlatcarInstall(installerLine.value, args);
      dropins.push({ name: installerDropinName, contents: `# Added by the lab harness: install from the lab mirror.\n[Service]\nExecStart=\nExecStart=${exec}\n` });
      changes.push(`unit ${u.name}: drop-in ${installerDropinName} adds '${args}' to flatcar-install`);
    }
    if (dropins.length) units.push({ name: u.name, dropins });
  }

  const config: IgnitionConfig = { ignition: { version: user.ignition.version } };
  if (o.sshPublicKey) {
    config.passwd = { users: [{ name: 'core', sshAuthorizedKeys: [o.sshPublicKey.trim()] }] };
    changes.push('user core: the run\'s SSH public key');
  }
  if (files.length) config.storage = { files };
  if (units.length) config.systemd = { units };
  return { config, changes };
}
