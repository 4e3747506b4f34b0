import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInstallSh, type InstallShSource } from '../artifacts/installSh.ts';
import { parseInstallShSource } from '../artifacts/sourceSpec.ts';
import { checkK3sSource, resolveK3s, type K3sSource } from '../artifacts/k3s.ts';
import { writeK3sReleaseDir } from '../artifacts/k3sMirror.ts';
import { UsageError } from '../errors.ts';
import { generateRunKey } from '../guest/ssh.ts';
import { formatFinding, lint, renderRun, scenarioTargets } from '../ignition/index.ts';
import { Lab } from '../lab/lab.ts';
import { onTerminate } from '../lab/signals.ts';
import { ownedTempDir } from '../lab/tempDirs.ts';
import { reportsRoot } from '../paths.ts';
import { findIgnitionTokens } from '../report/redact.ts';
import { ReportDir, reportDirName } from '../report/reportDir.ts';
import type { ProgressOut } from '../report/progress.ts';
import type { RunResult } from '../report/result.ts';
import { mirrorMounts } from '../services/mirrorLayout.ts';
import { chooseAccel } from '../vm/accel.ts';
import { labOsRelease } from './labOsRelease.ts';
import { labOverheadMiB, nodeCpus, nodeMemoryMiB } from './machineSize.ts';
import { LabMachine } from './labMachine.ts';
import { firstServer, loadScenario, topologyOf } from './model.ts';
import { loadPlan } from './plan.ts';
import { preflight, runTools, type PreflightProblem } from './preflight.ts';
import { NetnsAccess } from './probe/netnsAccess.ts';
import { runScenario } from './runner.ts';
import { runInstalls, type RunInstalls } from './runInstalls.ts';
import type { LabFaults } from './faultPort.ts';
import { flowUnits, type TemplateUnit } from './terminal/flowUnits.ts';
import { timeoutScale } from './timeoutScale.ts';

export interface LabRunOptions {
  scenario: string;
  timeoutScale?: number;
  k3s?: K3sSource;
  installSh?: InstallShSource;
  online?: boolean;
  reportsDir?: string;
  /** MiB per VM: the live PXE system keeps its root in RAM. */
  memoryMiB?: number;
  progress?: ProgressOut;
  /** Leave the lab and its nodes up after the verdict (always, or when the run did not pass), until a signal. */
  keep?: 'always' | 'on-failure';
  /**
   * Start each node from the install an earlier run kept, when one matches (its PXE stage
   * skipped): for iterating on the boot-stage config and install.sh. Every run keeps its installs.
   */
  reuseInstall?: boolean;
  /** Told how to get into a kept lab (the command prints it). */
  onKept?: (how: KeptLab, result: RunResult, reportPath: string) => void;
}

/** How a person gets into a lab kept up after its verdict. */
export interface KeptLab {
  nsenter: string;
  /** The run's private key (0600), for user core on every node. */
  sshKey: string;
  nodes: { name: string; ip: string }[];
  /** The init node's kubeconfig, when the API had been read; usable inside the lab's namespace. */
  kubeconfig?: string;
}

export type LabRunOutcome = { kind: 'preflight'; problems: PreflightProblem[] } | { kind: 'ran'; result: RunResult; reportPath: string };

/**
 * `npm run scenario <name>` from end to end: scenario and plan, preflight, artifacts (lab OS,
 * k3s, install.sh), a per-run SSH key, rendered configs, the lab, one machine per node, the run,
 * the report. Everything the run created is removed afterwards, also on Ctrl-C; the report stays.
 */
export async function runLabScenario(opts: LabRunOptions): Promise<LabRunOutcome> {
  const scenario = await loadScenario(opts.scenario);
  const plan = await loadPlan(opts.scenario);
  if (opts.reuseInstall && plan.pxeStageUnderTest) throw new UsageError(`--reuse-install skips the PXE stage, and ${scenario.name} ${plan.pxeStageUnderTest}: run it without --reuse-install`);
  const memoryMiB = opts.memoryMiB ?? nodeMemoryMiB;
  const work = tmpdir();
  const problems = preflight({ memoryMiB: scenario.nodes.length * memoryMiB + labOverheadMiB, diskMiB: scenario.nodes.length * 1500 + 1000, diskDir: work, tools: runTools });
  if (problems.length) return { kind: 'preflight', problems };

  // The artifacts before the KVM probe; a damaged or missing one is refused before the K3s double
  // is built into the cache, so a refusal writes nothing.
  checkK3sSource(opts.k3s ?? { kind: 'double' });
  const installSh = await resolveInstallSh(opts.installSh ?? (scenario.installSh ? parseInstallShSource(scenario.installSh) : { kind: 'fixture' }), { online: opts.online, onlineFlag: '--online' });
  const labOs = await labOsRelease(process.env, (line) => (opts.progress ?? process.stderr).write(`${line}\n`));
  const k3s = await resolveK3s(opts.k3s ?? { kind: 'double' }, { online: opts.online, onlineFlag: '--online' });
  const accel = await chooseAccel();
  const scale = timeoutScale({ accel: accel.accel, concurrentVms: scenario.nodes.length, hostCpus: availableParallelism(), override: opts.timeoutScale });

  const dir = ownedTempDir(scenario.name, work);
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let lab: Lab | undefined;
  let access: NetnsAccess | undefined;
  let installs: RunInstalls | undefined;
  // On Ctrl-C the process exits from the signal handler: the finally below never runs.
  const unregister = onTerminate(async () => {
    await access?.close();
    installs?.discardAll();
    removeDir();
  });
  try {
    const key = generateRunKey(`flatcar-k3s-lab ${scenario.name}`);
    const rendered = await renderRun(scenario, {
      outDir: join(dir, 'render'),
      sshPublicKey: key.publicKey,
      k3sVersion: k3s.version,
      installShPath: installSh.path,
      labOsVersion: labOs.version,
      releaseKernelArgs: labOs.pxeKernelArgs,
    });
    const runInstalled = await runInstalls({ scenario: scenario.name, release: labOs, rendered, sshPublicKey: key.publicKey, reuse: opts.reuseInstall === true });
    installs = runInstalled;
    const k3sDir = writeK3sReleaseDir(join(dir, 'k3s-release'), k3s);
    const mounts = mirrorMounts({
      renderedDir: rendered.mirrorDir,
      flatcar: [{ version: labOs.version, dir: labOs.dir, current: true }],
      k3s: [{ version: k3s.version, dir: k3sDir }],
    });
    const configs = rendered.files
      .filter((f) => f.startsWith('tftp/pxelinux.cfg/') || f.startsWith('mirror/ignition/') || f.startsWith('overlay/'))
      .map((f) => ({ rel: `configs/${f.replace(/^(tftp|mirror)\//, '')}`, text: readFileSync(join(rendered.outDir, f), 'utf8') }));
    const secrets = [scenario.cluster.token, ...configs.flatMap((c) => findIgnitionTokens(c.text))];
    const targets = scenarioTargets(scenario);
    const allFindings = [...targets.configErrors, ...lint(targets.ctx).findings];
    const findings = allFindings.filter((f) => f.severity === 'error');
    const units = flowUnits(configs.filter((c) => c.rel.endsWith('.ign')).flatMap((c) => ignitionUnits(c.text)));
    const report = new ReportDir(join(opts.reportsDir ?? reportsRoot, reportDirName(scenario.name, new Date())), secrets);

    lab = await Lab.up({ topology: topologyOf(scenario), tftpRoot: rendered.tftpDir, mirrorMounts: mounts, logDir: join(dir, 'logs') });
    const init = firstServer(scenario);
    if (!init) throw new Error(`${scenario.name} has no server node`);
    const theLab = lab;
    access = new NetnsAccess((cmd, args) => theLab.inside(cmd, args), key.privateKey, init);
    const result = await runScenario({
      scenario: { name: scenario.name, description: scenario.description, nodes: topologyOf(scenario).nodes, ...(scenario.expect ? { expect: scenario.expect } : {}) },
      units,
      lintRules: [...new Set(allFindings.map((f) => f.rule))],
      faults: labFaults(lab),
      plan,
      machines: scenario.nodes.map((n) => new LabMachine(lab!, n, { accel: accel.accel, memoryMiB, cpus: nodeCpus(availableParallelism(), scenario.nodes.length, process.env), dir, install: runInstalled.forNode(n.name) })),
      access,
      logs: { dnsmasq: lab.dnsmasqLog, mirror: lab.accessLog },
      report,
      accel,
      scale,
      artifacts: [
        { name: 'lab OS', source: labOs.description, ...(labOs.sha256 ? { sha256: labOs.sha256 } : {}) },
        { name: 'k3s', source: k3s.description, sha256: k3s.sha256 },
        { name: 'install.sh', source: installSh.description, sha256: installSh.sha256 },
        ...runInstalled.artifacts(),
      ],
      servedK3sSha256: k3s.sha256,
      configs,
      diagnosis: findings.map((f) => `lint: ${formatFinding(f)}`),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.keep ? { keepMachines: (o: RunResult['outcome']) => opts.keep === 'always' || o !== 'pass' } : {}),
    });
    for (const line of runInstalled.settle(result)) (opts.progress ?? process.stderr).write(`${line}\n`);
    if (opts.keep === 'always' || (opts.keep === 'on-failure' && result.outcome !== 'pass')) {
      opts.onKept?.(keptLab(dir, lab, key.privateKey, scenario.nodes, access.kubeconfig()), result, report.path);
      // The lab stays up until SIGINT/SIGTERM/SIGHUP: the signal handler tears everything down.
      await new Promise<never>(() => setInterval(() => {}, 1 << 30));
    }
    return { kind: 'ran', result, reportPath: report.path };
  } finally {
    installs?.discardAll();
    await access?.close();
    await lab?.down();
    removeDir();
    unregister();
  }
}

/** The units an Ignition config defines, with their unit files: which of the flow's units restart. */
function ignitionUnits(json: string): TemplateUnit[] {
  try {
    const units = (JSON.parse(json) as { systemd?: { units?: { name?: unknown; contents?: unknown }[] } }).systemd?.units ?? [];
    return units.filter((u) => typeof u.name === 'string').map((u) => ({ name: u.name as string, ...(typeof u.contents === 'string' ? { contents: u.contents } : {}) }));
  } catch {
    return [];
  }
}

/** Writes the run's key and kubeconfig where a person can use them, inside the run's own dir (removed at teardown). */
function keptLab(dir: string, lab: Lab, privateKey: string, nodes: { name: string; ip: string }[], kubeconfig: string | undefined): KeptLab {
  const sshKey = join(dir, 'id_ed25519');
  writeFileSync(sshKey, privateKey.endsWith('\n') ? privateKey : `${privateKey}\n`, { mode: 0o600 });
  const kubeconfigPath = kubeconfig ? join(dir, 'kubeconfig') : undefined;
  if (kubeconfigPath) writeFileSync(kubeconfigPath, kubeconfig!, { mode: 0o600 });
  return { nsenter: lab.nsenterCommand, sshKey, nodes: nodes.map((n) => ({ name: n.name, ip: n.ip })), ...(kubeconfigPath ? { kubeconfig: kubeconfigPath } : {}) };
}

/** The lab as the fault steps see it. */
function labFaults(lab: Lab): LabFaults {
  return {
    linkDown: (n) => lab.linkDown(n),
    linkUp: (n) => lab.linkUp(n),
    impair: (n, imp) => lab.impair(n, imp),
    clearImpairment: (n) => lab.clearImpairment(n),
    partition: (a, b) => lab.partition(a, b),
    healPartition: () => lab.healPartition(),
    silenceDhcp: (n) => lab.silenceDhcp(n),
    restoreDhcp: (n) => lab.restoreDhcp(n),
    addMirrorFault: (rule) => lab.addMirrorFault(rule),
  };
}
