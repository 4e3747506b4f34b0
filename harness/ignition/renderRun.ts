/**
 * Scenario → the rendered run directory a real PXE server would hold (and the lab's services serve):
 *   tftp/{pxelinux.0, ldlinux.c32, pxelinux.cfg/<HEXIP>, ignition/<node>-ignite-{pxe,boot}.ign}
 *   mirror/ignition/<node>-ignite-{pxe,boot}.ign   (+ mirror/k3s/install.sh when given)
 *   user/…     the user's configs alone;   overlay/…  the harness's additions and rewrites.txt
 *   render.json  what was written (no secrets)
 * Everything is written to a temporary directory and renamed into place: on any error nothing is.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { LabError, UsageError } from '../errors.ts';
import { projectRoot } from '../paths.ts';
import { nodeTemplates, stages, type Scenario, type ScenarioNode, type Stage } from '../scenario/model.ts';
import { hexIp, type NodeSpec } from '../scenario/topology.ts';
import { pxelinuxConfig, pxelinuxFiles, pxelinuxLoaderName } from '../services/pxelinux.ts';
import type { IgnitionConfig } from './ignitionTypes.ts';
import { mergeIgnition } from './mergeConfigs.ts';
import { nodeVariables, serverUrl } from './nodeVariables.ts';
import { buildOverlay, urlRewrites, type OverlayOptions } from './overlay.ts';
import { renderTemplate } from './template.ts';
import { ignitionJson, transpile } from './transpile.ts';
import type { Diagnostic } from './diagnostics.ts';
import { validateIgnition } from './validate.ts';

export interface RenderOptions {
  outDir: string;
  /** Base URL of the lab mirror as the nodes reach it; default http://<serverIp>:<mirrorPort>. */
  mirrorBaseUrl?: string;
  sshPublicKey?: string;
  k3sVersion?: string;
  /** What `https://get.k3s.io` is rewritten to; default <mirror>/k3s/install.sh. */
  installShUrl?: string;
  /** A local install.sh to place at mirror/k3s/install.sh. */
  installShPath?: string;
  /** The lab OS version the kernel/initrd URLs and flatcar-install use; default `current`. */
  labOsVersion?: string;
  /** Run ignition-validate on every config (default true). */
  validate?: boolean;
  /** Kernel arguments the served release itself asks for on PXE (the lab OS's SELinux choice), after the flow's own. */
  releaseKernelArgs?: readonly string[];
}

export interface RenderedStage {
  stage: Stage;
  /** Project-relative template path. */
  template: string;
  userConfig: IgnitionConfig;
  overlay: IgnitionConfig;
  /** What the node gets: the user's config with the overlay merged on top. */
  config: IgnitionConfig;
  sha512: string;
  /** Paths relative to the run directory. */
  tftpPath: string;
  mirrorPath: string;
  /** URL the node fetches it from. */
  url: string;
  overlayChanges: string[];
  /** Transpiler (Butane-style) warnings about the user's template. */
  warnings: Diagnostic[];
  /** ignition-validate's warnings about the rendered config. */
  validatorWarnings: string[];
}

export interface RenderedNode {
  node: NodeSpec;
  hexIp: string;
  pxelinuxConfigPath: string;
  kernelArgs: string[];
  stages: Record<Stage, RenderedStage>;
}

export interface RenderedRun {
  scenario: string;
  outDir: string;
  tftpDir: string;
  mirrorDir: string;
  mirrorBaseUrl: string;
  kernelUrl: string;
  initrdUrl: string;
  nodes: RenderedNode[];
  /** Every file written, relative to outDir. */
  files: string[];
}

export const manifestName = 'render.json';

function sha512(text: string): string {
  return createHash('sha512').update(text).digest('hex');
}

export function labOsUrls(mirrorBaseUrl: string, version = 'current'): { kernelUrl: string; initrdUrl: string } {
  const base = `${mirrorBaseUrl}/flatcar/amd64-usr/${version}`;
  return { kernelUrl: `${base}/flatcar_production_pxe.vmlinuz`, initrdUrl: `${base}/flatcar_production_pxe_image.cpio.gz` };
}

function renderStage(scenario: Scenario, node: ScenarioNode, stage: Stage, extra: Record<string, string>, o: OverlayOptions, mirrorBaseUrl: string): RenderedStage {
  const template = nodeTemplates(scenario, node)[stage];
  const templatePath = resolve(projectRoot, template);
  const shownPath = relative(process.cwd(), templatePath) || template;
  const text = renderTemplate(readFileSync(templatePath, 'utf8'), { ...nodeVariables(scenario, node), ...extra }, shownPath);
  const { ignition: userConfig, warnings } = transpile(text, { file: shownPath, filesDir: dirname(templatePath) });
  const overlay = buildOverlay(userConfig, o);
  const config = mergeIgnition(userConfig, overlay.config);
  const name = `${node.name}-ignite-${stage}.ign`;
  return {
    stage,
    template,
    userConfig,
    overlay: overlay.config,
    config,
    sha512: sha512(ignitionJson(config)),
    tftpPath: `tftp/ignition/${name}`,
    mirrorPath: `mirror/ignition/${name}`,
    url: `${mirrorBaseUrl}/ignition/${name}`,
    overlayChanges: overlay.changes,
    warnings,
    validatorWarnings: [],
  };
}

/** Renders every node's configs in memory (no files): what `render` writes and `lint` reads. */
export function renderNodes(scenario: Scenario, options: Omit<RenderOptions, 'outDir'>): { nodes: RenderedNode[]; mirrorBaseUrl: string; kernelUrl: string; initrdUrl: string } {
  const mirrorBaseUrl = (options.mirrorBaseUrl ?? serverUrl(scenario)).replace(/\/+$/, '');
  const o: OverlayOptions = {
    mirrorBaseUrl,
    templateServerUrl: serverUrl(scenario),
    sshPublicKey: options.sshPublicKey,
    k3sVersion: options.k3sVersion,
    installShUrl: options.installShUrl,
    labOsVersion: options.labOsVersion,
  };
  const { kernelUrl, initrdUrl } = labOsUrls(mirrorBaseUrl, options.labOsVersion);
  const nodes = scenario.nodes.map((node): RenderedNode => {
    // The PXE stage pins the boot stage by hash, so the boot stage is rendered first.
    const boot = renderStage(scenario, node, 'boot', {}, o, mirrorBaseUrl);
    const pxe = renderStage(scenario, node, 'pxe', { boot_ignition_hash: `sha512-${boot.sha512}` }, o, mirrorBaseUrl);
    const kernelArgs = ['flatcar.first_boot=1', `ignition.config.url=${pxe.url}`, 'console=ttyS0,115200n8', 'flatcar.autologin', ...(options.releaseKernelArgs ?? [])];
    const hex = hexIp(node.ip);
    return { node: { name: node.name, mac: node.mac, ip: node.ip, role: node.role }, hexIp: hex, pxelinuxConfigPath: `tftp/pxelinux.cfg/${hex}`, kernelArgs, stages: { pxe, boot } };
  });
  return { nodes, mirrorBaseUrl, kernelUrl, initrdUrl };
}

function isOurs(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0 || existsSync(join(dir, manifestName));
}

export async function renderRun(scenario: Scenario, options: RenderOptions): Promise<RenderedRun> {
  const outDir = resolve(options.outDir);
  if (!isOurs(outDir)) throw new UsageError(`${outDir} exists and is not a rendered run directory (no ${manifestName}); choose an empty or new directory`);
  if (options.installShPath && !existsSync(options.installShPath)) throw new UsageError(`install.sh not found: ${options.installShPath}`);
  const { nodes, mirrorBaseUrl, kernelUrl, initrdUrl } = renderNodes(scenario, options);

  if (options.validate !== false) {
    const all = nodes.flatMap((n) => stages.map((st) => n.stages[st]));
    const results = await Promise.all(all.map((r) => validateIgnition(r.config)));
    const bad = results.findIndex((r) => !r.ok);
    if (bad >= 0) throw new LabError(`${all[bad]!.tftpPath} (from ${all[bad]!.template}) fails ignition-validate: ${results[bad]!.errors.join('; ')}`);
    results.forEach((r, i) => all[i]!.validatorWarnings.push(...r.warnings));
  }

  const parent = dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(outDir)}.tmp-`));
  const files: string[] = [];
  const write = (rel: string, content: string | Buffer): void => {
    const full = join(tmp, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
    files.push(rel);
  };
  try {
    write(`tftp/${pxelinuxLoaderName}`, readFileSync(pxelinuxFiles.loader));
    write('tftp/ldlinux.c32', readFileSync(pxelinuxFiles.ldlinux));
    const rewrites: string[] = [];
    for (const n of nodes) {
      write(n.pxelinuxConfigPath, pxelinuxConfig({ kernelUrl, initrdUrl, kernelArgs: n.kernelArgs }));
      for (const st of stages) {
        const r = n.stages[st];
        const json = ignitionJson(r.config);
        write(r.tftpPath, json);
        write(r.mirrorPath, json);
        write(`user/${n.node.name}-ignite-${st}.ign`, ignitionJson(r.userConfig));
        write(`overlay/${n.node.name}-ignite-${st}.ign`, ignitionJson(r.overlay));
        rewrites.push(...r.overlayChanges.map((c) => `${n.node.name} ${st}: ${c}`));
      }
    }
    const rules = urlRewrites({ mirrorBaseUrl, templateServerUrl: serverUrl(scenario), installShUrl: options.installShUrl });
    write('overlay/rewrites.txt', [...rules.map((r) => `rule: ${r.from} -> ${r.to} (${r.why})`), ...rewrites, ''].join('\n'));
    if (options.installShPath) {
      const full = join(tmp, 'mirror/k3s/install.sh');
      mkdirSync(dirname(full), { recursive: true });
      copyFileSync(options.installShPath, full);
      files.push('mirror/k3s/install.sh');
    }
    const manifest = {
      scenario: scenario.name,
      mirrorBaseUrl,
      kernelUrl,
      initrdUrl,
      nodes: nodes.map((n) => ({
        ...n.node,
        hexIp: n.hexIp,
        pxelinuxConfig: n.pxelinuxConfigPath,
        stages: Object.fromEntries(stages.map((st) => [st, { template: n.stages[st].template, path: n.stages[st].tftpPath, url: n.stages[st].url, sha512: n.stages[st].sha512 }])),
      })),
      files: [...files, manifestName].sort(),
    };
    write(manifestName, `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(outDir)) {
      const old = `${tmp}.old`;
      renameSync(outDir, old);
      renameSync(tmp, outDir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, outDir);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return { scenario: scenario.name, outDir, tftpDir: join(outDir, 'tftp'), mirrorDir: join(outDir, 'mirror'), mirrorBaseUrl, kernelUrl, initrdUrl, nodes, files: files.sort() };
}
