/**
 * `lab up <scenario> --services-only`: the lab's network, dnsmasq and mirror, serving everything
 * the pxelinux configs it hands out name, so a person can boot their own VM (or hardware bridged
 * in) into it. Without --rendered it renders the scenario's configs the way `lab scenario` does
 * (a run SSH key, the lab OS release, k3s, install.sh) into a temp dir removed at teardown.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveInstallSh, type InstallShSource } from '../artifacts/installSh.ts';
import { resolveK3s, type K3sSource } from '../artifacts/k3s.ts';
import { writeK3sReleaseDir } from '../artifacts/k3sMirror.ts';
import { parseInstallShSource } from '../artifacts/sourceSpec.ts';
import { oneLine, UsageError } from '../errors.ts';
import { generateRunKey } from '../guest/ssh.ts';
import { ConfigError, manifestName, renderRun } from '../ignition/index.ts';
import { Lab } from '../lab/lab.ts';
import { onTerminate } from '../lab/signals.ts';
import { ownedTempDir } from '../lab/tempDirs.ts';
import { redactText } from '../report/redact.ts';
import { labOsRelease, type LabOsRelease } from '../scenario/labOsRelease.ts';
import { listScenarios, loadScenario, topologyOf, type Scenario } from '../scenario/model.ts';
import { hexIp } from '../scenario/topology.ts';
import type { MirrorMount } from '../services/mirror.ts';
import { mirrorMounts, mirrorPaths } from '../services/mirrorLayout.ts';
import { parseCommandArgs } from './args.ts';
import type { LabCommand } from './types.ts';

export const usage =
  'usage: lab up <scenario> --services-only [--rendered DIR] [--k3s-version vX.Y.Z+k3sN | --k3s-file PATH] [--install-sh PATH|URL|REF] [--online] [--log-dir DIR]';

export interface UpArgs {
  scenario: string;
  rendered?: string;
  logDir?: string;
  k3s: K3sSource;
  /** Undefined when not given: the scenario's `installSh`, else the fixture; a --rendered dir's own install.sh wins over both. */
  installSh?: InstallShSource;
  online: boolean;
}

/** The command line, or a UsageError with one line saying what is wrong. */
export function parseUpArgs(argv: string[]): UpArgs {
  const { values, positionals } = parseCommandArgs('up', argv, {
    'services-only': { type: 'boolean', default: false },
    rendered: { type: 'string' },
    'log-dir': { type: 'string' },
    'k3s-version': { type: 'string' },
    'k3s-file': { type: 'string' },
    'install-sh': { type: 'string' },
    online: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError(`${usage}; scenarios: ${listScenarios().join(', ')}`);
  if (extra.length) throw new UsageError(`one scenario only, not also '${extra.join(' ')}' (${usage})`);
  if (!values['services-only']) throw new UsageError('lab up only brings services up (--services-only); boot nodes with `lab scenario`');
  const version = values['k3s-version'];
  const file = values['k3s-file'];
  if (version && file) throw new UsageError('give --k3s-version or --k3s-file, not both');
  const k3s: K3sSource = file ? { kind: 'file', path: file } : version ? { kind: 'release', version } : { kind: 'double' };
  return {
    scenario: name,
    ...(values.rendered !== undefined ? { rendered: resolve(values.rendered) } : {}),
    ...(values['log-dir'] !== undefined ? { logDir: resolve(values['log-dir']) } : {}),
    k3s,
    ...(values['install-sh'] !== undefined ? { installSh: parseInstallShSource(values['install-sh']) } : {}),
    online: values.online ?? false,
  };
}

/** What a --rendered dir must hold, checked before anything starts. */
function checkRenderedDir(dir: string, scenario: Scenario): void {
  if (!existsSync(join(dir, 'tftp'))) throw new UsageError(`${dir}: no tftp/ in it (write it with \`lab render ${scenario.name}\`)`);
  const manifest = join(dir, manifestName);
  if (!existsSync(manifest)) return;
  let rendered: unknown;
  try {
    rendered = (JSON.parse(readFileSync(manifest, 'utf8')) as { scenario?: unknown }).scenario;
  } catch {
    throw new UsageError(`${manifest}: not JSON (re-render it with \`lab render ${scenario.name}\`)`);
  }
  if (rendered !== scenario.name) throw new UsageError(`${dir} was rendered from scenario '${String(rendered)}', not '${scenario.name}'`);
}

/**
 * One line per thing a --rendered dir's pxelinux configs name that this lab does not serve: a
 * kernel on another server, or a lab OS version other than the one mounted (and `current`).
 */
export function renderedMismatches(tftpDir: string, mirrorUrl: string, labOsVersion: string): string[] {
  const cfgDir = join(tftpDir, 'pxelinux.cfg');
  if (!existsSync(cfgDir)) return [`${tftpDir}: no pxelinux.cfg/ (nodes that PXE-boot get no kernel line)`];
  const problems = new Set<string>();
  for (const f of readdirSync(cfgDir)) {
    const text = readFileSync(join(cfgDir, f), 'utf8');
    for (const m of text.matchAll(/^\s*kernel\s+(\S+)/gm)) {
      const url = m[1]!;
      if (!url.startsWith(`${mirrorUrl}/`)) {
        problems.add(`pxelinux.cfg/${f} names kernel ${url}, which is not on this lab's mirror (${mirrorUrl})`);
        continue;
      }
      const version = /\/flatcar\/[^/]+\/([^/]+)\//.exec(url.slice(mirrorUrl.length))?.[1];
      if (version && version !== 'current' && version !== labOsVersion) {
        problems.add(`pxelinux.cfg/${f} names lab OS ${version}; this lab serves ${labOsVersion} (and current): re-render, or set LAB_OS_DIR`);
      }
    }
  }
  return [...problems];
}

/** True when some config of a rendered mirror/ gives a user an SSH key. */
export function hasSshKey(renderedMirrorDir: string): boolean {
  const dir = join(renderedMirrorDir, 'ignition');
  if (!existsSync(dir)) return false;
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ign'))
    .some((f) => /"sshAuthorizedKeys"\s*:\s*\[\s*"/.test(readFileSync(join(dir, f), 'utf8')));
}

/** The k3s versions the boot-stage configs of a rendered mirror/ tell install.sh to fetch. */
export function namedK3sVersions(renderedMirrorDir: string): string[] {
  const dir = join(renderedMirrorDir, 'ignition');
  if (!existsSync(dir)) return [];
  const versions = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ign'))) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/INSTALL_K3S_VERSION=([^\s"\\]+)/g)) versions.add(m[1]!);
  }
  return [...versions].sort();
}

export interface UpSummary {
  runId: string;
  scenario: Scenario;
  mirrorUrl: string;
  nsenter: string;
  nodes: { name: string; role: string; mac: string; ip: string; tap: string }[];
  labOs: Pick<LabOsRelease, 'version' | 'description'>;
  k3s: { version: string; description: string };
  installSh: string;
  /** The TFTP root served, and whether the lab rendered it (else it is the person's --rendered dir). */
  configs: { dir: string; renderedNow: boolean };
  /** The run's private key, when the lab made one. */
  sshKey?: string;
  /** For a --rendered dir: whether its configs give user core an SSH key at all. */
  renderedSshKey?: boolean;
  logDir: string;
  tempDir: string;
}

/** What `lab up` prints once the lab serves, with every known secret of the scenario redacted. */
export function formatUp(s: UpSummary): string {
  const w = Math.max(...s.nodes.map((n) => n.name.length));
  const firstIp = s.nodes[0]?.ip ?? '<node ip>';
  const lines = [
    `lab ${s.runId} up (${s.scenario.name}, mirror ${s.mirrorUrl}); enter it with: ${s.nsenter} bash`,
    ...s.nodes.map((n) => `  ${n.name.padEnd(w)}  ${n.role.padEnd(6)}  mac ${n.mac}  ip ${n.ip}  pxelinux.cfg/${hexIp(n.ip)}  tap ${n.tap}`),
    `  flatcar: ${s.labOs.version} at ${mirrorPaths.flatcarDir(s.labOs.version)}/ and ${mirrorPaths.flatcarDir('current')}/: ${s.labOs.description}`,
    `  k3s:     ${s.k3s.version} at ${mirrorPaths.k3sReleases}/download/${s.k3s.version}/: ${s.k3s.description}`,
    `  install: ${mirrorPaths.installScript}: ${s.installSh}`,
    s.configs.renderedNow
      ? `  configs: ${s.configs.dir} (rendered now: tftp/ is the TFTP root, mirror/ignition/ is on the mirror)`
      : `  configs: ${s.configs.dir} (yours, from --rendered: tftp/ is the TFTP root, mirror/ is on the mirror)`,
    s.sshKey
      ? `  ssh key: ${s.sshKey} (user core on every node; log in with: ${s.nsenter} ssh -i ${s.sshKey} core@${firstIp})`
      : s.renderedSshKey
        ? '  ssh key: the one whose public half was given to `lab render --ssh-key` (user core)'
        : '  ssh key: none in the rendered configs (render with `lab render --ssh-key FILE.pub`; the console logs in by itself: flatcar.autologin)',
    `  logs:    ${join(s.logDir, 'dnsmasq.log')}, ${join(s.logDir, 'access.log')}`,
    `Ctrl-C tears it all down (network, services, ${s.tempDir})`,
  ];
  return redactText(lines.join('\n'), [s.scenario.cluster.token]);
}

/** The error with the scenario's secrets taken out of its message (the CLI prints the message). */
function redactError(err: unknown, secrets: string[]): unknown {
  if (!(err instanceof Error)) return new Error(redactText(String(err), secrets));
  err.message = redactText(err.message, secrets);
  if (err.stack) err.stack = redactText(err.stack, secrets);
  return err;
}

async function bringUp(args: UpArgs, scenario: Scenario): Promise<never> {
  const topology = topologyOf(scenario);
  if (args.rendered) checkRenderedDir(args.rendered, scenario);
  const renderedInstallSh = args.rendered ? join(args.rendered, 'mirror', 'k3s', 'install.sh') : undefined;
  if (renderedInstallSh && args.installSh && existsSync(renderedInstallSh)) {
    throw new UsageError(`${args.rendered} brings its own install.sh (mirror/k3s/install.sh): drop --install-sh, or re-render with \`lab render --install-sh\``);
  }

  const labOs = await labOsRelease(process.env, (line) => process.stderr.write(`${line}\n`));
  const k3s = await resolveK3s(args.k3s, { online: args.online, onlineFlag: '--online' });
  const installSh =
    renderedInstallSh && existsSync(renderedInstallSh)
      ? undefined
      : await resolveInstallSh(args.installSh ?? (scenario.installSh ? parseInstallShSource(scenario.installSh) : { kind: 'fixture' }), { online: args.online, onlineFlag: '--online' });

  const dir = ownedTempDir(`up-${scenario.name}`);
  let lab: Lab | undefined;
  const teardown = async (): Promise<void> => {
    try {
      await lab?.down();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // The lab's signal handler exits the process after Ctrl-C: this one removes the temp dir too.
  const unregister = onTerminate(teardown);
  try {
    let tftpRoot: string;
    let mirrorDir: string;
    let sshKey: string | undefined;
    if (args.rendered) {
      tftpRoot = join(args.rendered, 'tftp');
      mirrorDir = join(args.rendered, 'mirror');
    } else {
      const key = generateRunKey(`flatcar-k3s-lab up ${scenario.name}`);
      mkdirSync(join(dir, 'ssh'), { mode: 0o700 });
      sshKey = join(dir, 'ssh', 'id_ed25519');
      writeFileSync(sshKey, key.privateKey.endsWith('\n') ? key.privateKey : `${key.privateKey}\n`, { mode: 0o600 });
      chmodSync(sshKey, 0o600);
      writeFileSync(`${sshKey}.pub`, `${key.publicKey}\n`, { mode: 0o644 });
      let rendered;
      try {
        rendered = await renderRun(scenario, {
          outDir: join(dir, 'render'),
          sshPublicKey: key.publicKey,
          k3sVersion: k3s.version,
          installShPath: installSh!.path,
          labOsVersion: labOs.version,
          releaseKernelArgs: labOs.pxeKernelArgs,
        });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        const more = err.diagnostics.length - 1;
        throw new UsageError(`${err.message.split('\n')[0]}${more ? ` (and ${more} more: lab lint ${scenario.name} lists them)` : ''}`);
      }
      tftpRoot = rendered.tftpDir;
      mirrorDir = rendered.mirrorDir;
    }

    const k3sDir = writeK3sReleaseDir(join(dir, 'k3s-release'), k3s);
    // A --rendered dir without its own install.sh still gets one at the URL its configs name.
    const extra: MirrorMount[] = args.rendered && installSh ? [{ urlPath: mirrorPaths.installScript, file: installSh.path }] : [];
    const mounts = mirrorMounts({
      renderedDir: mirrorDir,
      flatcar: [{ version: labOs.version, dir: labOs.dir, current: true }],
      k3s: [{ version: k3s.version, dir: k3sDir }],
      extra,
    });

    lab = await Lab.up({ topology, tftpRoot, mirrorMounts: mounts, ...(args.logDir ? { logDir: args.logDir } : {}) });

    if (args.rendered) {
      const warnings = renderedMismatches(tftpRoot, lab.mirrorUrl, labOs.version);
      const named = namedK3sVersions(mirrorDir).filter((v) => v !== k3s.version);
      if (named.length) warnings.push(`the rendered configs ask install.sh for k3s ${named.join(', ')}; this lab serves ${k3s.version} (pass --k3s-version or --k3s-file)`);
      for (const w of warnings) process.stderr.write(`lab up: ${redactText(w, [scenario.cluster.token])}\n`);
    }

    const theLab = lab;
    console.log(
      formatUp({
        runId: lab.runId,
        scenario,
        mirrorUrl: lab.mirrorUrl,
        nsenter: lab.nsenterCommand,
        nodes: topology.nodes.map((n) => ({ name: n.name, role: n.role, mac: n.mac, ip: n.ip, tap: theLab.tapOf(n.name) })),
        labOs,
        k3s: { version: k3s.version, description: k3s.description },
        installSh: installSh ? installSh.description : `install.sh from ${renderedInstallSh}`,
        configs: { dir: args.rendered ?? join(dir, 'render'), renderedNow: !args.rendered },
        ...(sshKey ? { sshKey } : { renderedSshKey: hasSshKey(mirrorDir) }),
        logDir: lab.logDir,
        tempDir: dir,
      }),
    );
  } catch (err) {
    await teardown().catch((e: unknown) => process.stderr.write(`lab up: teardown after the failure below: ${oneLine(e)}\n`));
    unregister();
    throw err;
  }
  // Lives until SIGINT/SIGTERM/SIGHUP: the handlers tear down and exit 130/143/129.
  return new Promise<never>(() => setInterval(() => {}, 1 << 30));
}

export const command: LabCommand = {
  name: 'up',
  summary: 'bring a scenario\'s lab network and services up, serving its rendered configs, to boot your own VM into (--services-only); Ctrl-C tears down',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      console.log(usage);
      return 0;
    }
    const args = parseUpArgs(argv);
    const scenario = await loadScenario(args.scenario);
    try {
      return await bringUp(args, scenario);
    } catch (err) {
      throw redactError(err, [scenario.cluster.token]);
    }
  },
};
