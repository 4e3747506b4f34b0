import { readFileSync } from 'node:fs';
import { NodeConsole } from '../guest/console.ts';
import { FileFollower } from '../guest/fileFollower.ts';
import { oneLine } from '../errors.ts';
import type { ReportDir } from '../report/reportDir.ts';
import type { NodeResult, RunResult, StepResult } from '../report/result.ts';
import { Progress, type ProgressOut } from '../report/progress.ts';
import { parseAccessLine, parseStallLine, type AccessEntry } from '../services/accessLog.ts';
import type { AccelChoice } from '../vm/accel.ts';
import { assertionByName } from './assertions/index.ts';
import type { AssertionResult } from './assertions/types.ts';
import { pxeSilenceBudgetMs, pxeStallResets } from './budgets.ts';
import { collectNode } from './collect.ts';
import { firstServer } from './model.ts';
import type { ClusterView, RunEvidence } from './evidence.ts';
import type { LabAccess } from './labAccess.ts';
import type { NodeMachine } from './machine.ts';
import { consoleObservations } from './observe/consoleEvents.ts';
import { dnsmasqObservation } from './observe/dnsmasqEvents.ts';
import { httpObservation, httpStallObservation } from './observe/httpEvents.ts';
import { nodeIndex } from './observe/nodeIndex.ts';
import { ObservationLog } from './observations.ts';
import { PhaseTracker } from './phaseTracker.ts';
import { watchPxeStalls } from './pxeStall.ts';
import type { ScenarioPlan, Steps } from './plan.ts';
import type { RunContext } from './runContext.ts';
import * as steps from './steps.ts';
import { SupervisedMachine } from './supervisor.ts';
import type { NodeSpec } from './topology.ts';
import { formatMs, NodeFailed, type WaitEnv } from './waits.ts';

export interface RunInput {
  scenario: { name: string; description?: string; nodes: NodeSpec[]; expect?: { outcome: 'pass' | 'fail'; reasons?: string[] } };
  plan: ScenarioPlan;
  /** One machine per node, not yet powered on. */
  machines: NodeMachine[];
  access: LabAccess;
  /** The services' logs the runner follows for phases and copies into the report. */
  logs: { dnsmasq: string; mirror: string };
  report: ReportDir;
  accel: AccelChoice;
  scale: number;
  artifacts: RunResult['artifacts'];
  servedK3sSha256?: string;
  /** Rendered configs for the report (redacted there): path relative to the report → text. */
  configs: { rel: string; text: string }[];
  /** Findings known before the run (lint of the configs), reported under "Why". */
  diagnosis?: string[];
  progress?: ProgressOut;
  signal?: AbortSignal;
  /** How often the cluster API is polled for `joined` (ms). */
  apiPollMs?: number;
}

/**
 * Runs one scenario on machines in a lab that is already up: follows every log into
 * observations, derives phases, runs the scenario's function, collects evidence over SSH and the
 * API, judges it with the plan's assertions and writes the report. The caller owns the lab.
 */
export async function runScenario(input: RunInput): Promise<RunResult> {
  const start = Date.now();
  const nodes = input.scenario.nodes;
  const index = nodeIndex(nodes);
  const log = new ObservationLog();
  const tracker = new PhaseTracker(nodes.map((n) => n.name), log);
  const consoles = new Map(nodes.map((n) => [n.name, new NodeConsole(n.name)]));
  const progress = new Progress(tracker, input.progress ?? { write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY }, { start });
  const failures: string[] = [];
  const abort = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, abort.signal]) : abort.signal;

  const followers = [
    new FileFollower(input.logs.dnsmasq, (line) => {
      const obs = dnsmasqObservation(line, index);
      if (obs) log.add(obs);
    }).start(),
    new FileFollower(input.logs.mirror, (line) => {
      const entry = parseAccessLine(line);
      const stall = entry ? undefined : parseStallLine(line);
      const obs = entry ? httpObservation(entry, index) : stall && httpStallObservation(stall, index);
      if (obs) log.add(obs);
    }).start(),
  ];

  const machines = new Map<string, SupervisedMachine>();
  for (const m of input.machines) {
    const console = consoles.get(m.node)!;
    console.subscribe((line) => consoleObservations(m.node, line, machines.get(m.node)?.isDiskBoot(line.boot) ?? false).forEach((o) => log.add(o)));
    console.onFailure((f) => {
      progress.setStatus(m.node, `FAILED: ${f.reason}`);
      progress.note(`${m.node}: ${f.reason} on the console: ${f.lines[0] ?? ''}`);
    });
    machines.set(m.node, new SupervisedMachine(m, console, log, tracker, (err) => failures.push(`${m.node}: could not boot again: ${oneLine(err)}`)));
  }

  const waitEnv: WaitEnv = {
    scale: input.scale,
    phaseOf: (n) => tracker.phaseOf(n),
    consoleTail: (n, k) => consoles.get(n)?.tail(k) ?? [],
    failureOf: (n) => consoles.get(n)?.failure,
    lastSeen: (n) => {
      const o = log.forNode(n).at(-1);
      return o && `${o.detail} (${o.source}, at ${formatMs(o.at - start)})`;
    },
    signal,
  };
  const ctx: RunContext = {
    nodes,
    machines: machines as Map<string, NodeMachine>,
    consoles,
    log,
    tracker,
    waitEnv,
    access: input.access,
    holdPower: (node, hold) => machines.get(node)?.hold(hold),
    note: (text) => progress.note(text),
  };

  const stopPolling = pollCluster(input.access, nodes, log, tracker, input.apiPollMs ?? 2_000, (t) => progress.note(t));
  const stopStallWatch = watchPxeStalls({ machines, consoles, log, tracker, silenceMs: pxeSilenceBudgetMs * input.scale, maxResets: pxeStallResets, note: (t) => progress.note(t) });
  const stepResults: StepResult[] = [];
  let runError: string | undefined;
  try {
    await input.plan.run(recordedSteps(ctx, start, stepResults));
  } catch (err) {
    runError = err instanceof Error ? err.message : String(err);
    progress.note(`run stopped: ${oneLine(err)}`);
  }
  stopPolling();
  stopStallWatch();

  // Evidence, also after a failed run: it explains the failure.
  progress.note('collecting evidence: SSH probes, API, etcd');
  const [collected, cluster] = await Promise.all([
    Promise.all(nodes.map((n) => collectNode(input.access, n, tracker, machines.get(n.name)?.boots ?? 0, input.scale))),
    input.access.cluster().catch((e: unknown): ClusterView => ({ nodes: [], error: oneLine(e) })),
  ]);
  const evidenceNodes = collected.map((c) => c.evidence);
  const journals = collected.map((c) => c.journal);

  for (const m of machines.values()) await m.dispose();
  for (const f of followers) await f.stop();
  progress.stop();

  const evidence: RunEvidence = {
    nodes: evidenceNodes,
    http: readEntries(input.logs.mirror),
    dnsmasq: readLines(input.logs.dnsmasq),
    servedK3sSha256: input.servedK3sSha256,
    cluster,
    observations: [...log.all()],
  };
  const assertions: AssertionResult[] = input.plan.assertions.map((name) => {
    const a = assertionByName(name)!;
    try {
      return a.check(evidence);
    } catch (err) {
      return { name, ok: false, detail: `the assertion itself failed: ${oneLine(err)}` };
    }
  });

  const nodeResults: NodeResult[] = nodes.map((n, i) => {
    const m = machines.get(n.name)!;
    const consoleLogs = m.bootLogs.map((b) => input.report.copyLog(`logs/${n.name}.boot${b.boot}.console.log`, b.serialLog));
    consoleLogs.push(input.report.writeText(`logs/${n.name}.journal.log`, journals[i] ?? ''));
    const failure = consoles.get(n.name)?.failure;
    return {
      name: n.name,
      ip: n.ip,
      mac: n.mac,
      role: n.role,
      phase: tracker.phaseOf(n.name),
      marks: tracker.marks(n.name).map(({ at, ...rest }) => ({ ...rest, offsetMs: at - start })),
      boots: m.bootLogs.map((b) => ({ boot: b.boot, offsetMs: b.at - start, how: b.how })),
      consoleLogs,
      ...(failure ? { failure: new NodeFailed(n.name, tracker.phaseOf(n.name), failure).message } : {}),
    };
  });

  const files = {
    dnsmasqLog: input.report.copyLog('logs/dnsmasq.log', input.logs.dnsmasq),
    mirrorLog: input.report.copyLog('logs/mirror-access.log', input.logs.mirror),
    configs: input.configs.map((c) => input.report.writeConfig(c.rel, c.text)),
  };
  input.report.writeText('logs/observations.jsonl', log.all().map((o) => JSON.stringify({ ...o, offsetMs: o.at - start })).join('\n') + '\n');

  const error = [runError, ...failures].filter(Boolean).join('\n') || undefined;
  const finished = Date.now();
  const result: RunResult = {
    scenario: input.scenario.name,
    ...(input.scenario.description ? { description: input.scenario.description } : {}),
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - start,
    outcome: error ? 'error' : assertions.every((a) => a.ok) ? 'pass' : 'fail',
    expected: input.scenario.expect?.outcome ?? 'pass',
    ...(error ? { error } : {}),
    accel: input.accel,
    timeoutScale: input.scale,
    artifacts: input.artifacts,
    nodes: nodeResults,
    steps: stepResults,
    assertions,
    // What the scenario says should go wrong comes first, then the failed assertions' first findings, then lint.
    diagnosis: [
      ...(input.scenario.expect?.outcome === 'fail' ? (input.scenario.expect.reasons ?? []).map((r) => `expected: ${r}`) : []),
      ...assertions.filter((a) => !a.ok).map((a) => `observed: ${a.name}: ${a.detail.split('\n').find((l) => /FAIL/.test(l)) ?? a.detail.split('\n')[0]}`),
      ...(input.diagnosis ?? []),
    ],
    files,
  };
  input.report.writeResult(result);
  return result;
}

/** The plan's steps, each call timed and recorded (a failing step records its error and rethrows). */
function recordedSteps(ctx: RunContext, start: number, out: StepResult[]): Steps {
  const record = async (name: string, node: string | undefined, fn: () => Promise<void>): Promise<void> => {
    const t0 = Date.now();
    ctx.note(`step: ${name}`);
    try {
      await fn();
      out.push({ name, ...(node ? { node } : {}), offsetMs: t0 - start, durationMs: Date.now() - t0, ok: true });
    } catch (err) {
      out.push({ name, ...(node ? { node } : {}), offsetMs: t0 - start, durationMs: Date.now() - t0, ok: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  };
  return {
    nodes: ctx.nodes,
    bootAll: () => record('boot all nodes', undefined, () => steps.bootAll(ctx)),
    waitForPhase: (phase, nodes) => record(`wait for ${phase}${nodes ? ` (${nodes.join(', ')})` : ''}`, nodes?.length === 1 ? nodes[0] : undefined, () => steps.waitForPhase(ctx, phase, nodes)),
    reboot: (node) => record(`reboot ${node}`, node, () => steps.rebootNode(ctx, node)),
    powerCut: (node) => record(`power-cut ${node}`, node, () => steps.powerCutNode(ctx, node)),
    powerButton: (node) => record(`power button ${node}`, node, () => steps.powerButtonNode(ctx, node)),
    waitForClusterHealthy: () => record('wait for a healthy cluster', undefined, () => steps.waitForClusterHealthy(ctx)),
    giveClusterTime: (baseMs) => record(`give the cluster up to ${Math.round((baseMs * ctx.waitEnv.scale) / 1000)} s to form`, undefined, () => steps.giveClusterTime(ctx, baseMs)),
    waitForConsole: (node, pattern, opts) => record(`wait for ${pattern} on ${node}`, node, () => steps.waitForConsole(ctx, node, pattern, opts)),
  };
}

/**
 * Polls the API while the scenario runs: a node the API lists proves k3s-ready (its k3s registered
 * it); listed Ready proves joined. Until the first server's console says k3s started there is no
 * kubeconfig to read yet, and each try costs that node an SSH handshake (seconds of CPU under TCG)
 * while it is busy starting k3s, so it tries only every 15 polls then, in case that line never comes.
 * Once k3s has started there, a failing poll is news (the run key refused, the API gone): each new
 * reason is noted once, so a run that cannot see its cluster says why long before its timeout.
 */
function pollCluster(access: LabAccess, nodes: NodeSpec[], log: ObservationLog, tracker: PhaseTracker, everyMs: number, note: (text: string) => void): () => void {
  const apiNode = firstServer({ nodes });
  let stopped = false;
  let busy = false;
  let lastTry = 0;
  let lastFailure: string | undefined;
  const timer = setInterval(async () => {
    if (busy || stopped || !nodes.some((n) => tracker.reached(n.name, 'k3s-install'))) return;
    const apiUp = apiNode !== undefined && tracker.reached(apiNode.name, 'k3s-ready');
    if (!apiUp && Date.now() - lastTry < everyMs * 15) return;
    busy = true;
    lastTry = Date.now();
    try {
      const view = await access.cluster({ etcd: false });
      const at = Date.now();
      for (const v of view.nodes) {
        if (!nodes.some((n) => n.name === v.name)) continue;
        if (!tracker.reached(v.name, 'k3s-ready')) log.add({ at, node: v.name, source: 'api', kind: 'api-listed', detail: `API lists ${v.name}`, phase: 'k3s-ready' });
        if (v.ready && !tracker.reached(v.name, 'joined')) log.add({ at, node: v.name, source: 'api', kind: 'api-ready', detail: `API: ${v.name} Ready (${v.roles.join(',') || 'no roles'})`, phase: 'joined' });
      }
    } catch (err) {
      // Before k3s started on the API node this is expected; the next poll tries again either way.
      const why = oneLine(err);
      if (apiUp && apiNode && why !== lastFailure) {
        lastFailure = why;
        log.add({ at: Date.now(), node: apiNode.name, source: 'api', kind: 'api-poll-failed', detail: `API poll failed: ${why}` });
        note(`${apiNode.name}: k3s started, but the API poll failed: ${why}`);
      }
    } finally {
      busy = false;
    }
  }, everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function readEntries(file: string): AccessEntry[] {
  return readLines(file)
    .map(parseAccessLine)
    .filter((e): e is AccessEntry => e !== undefined);
}
