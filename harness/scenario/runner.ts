import { readFileSync } from 'node:fs';
import { NodeConsole } from '../guest/console.ts';
import { FileFollower } from '../guest/fileFollower.ts';
import { NodeJournal } from '../guest/nodeJournal.ts';
import { oneLine } from '../errors.ts';
import type { ReportDir } from '../report/reportDir.ts';
import type { CauseResult, NodeResult, RunResult, StepResult } from '../report/result.ts';
import { Progress, type ProgressOut } from '../report/progress.ts';
import { parseAccessLine, parseStallLine, type AccessEntry } from '../services/accessLog.ts';
import type { AccelChoice } from '../vm/accel.ts';
import { assertionByName } from './assertions/index.ts';
import type { AssertionResult } from './assertions/types.ts';
import { pxeSilenceBudgetMs, pxeStallResets, recoveryBudgetMs } from './budgets.ts';
import { collectNode } from './collect.ts';
import { readEndOfRunView } from './endOfRunView.ts';
import type { RunEvidence } from './evidence.ts';
import type { LabAccess } from './labAccess.ts';
import type { NodeMachine } from './machine.ts';
import { consoleObservations } from './observe/consoleEvents.ts';
import { dnsmasqObservation } from './observe/dnsmasqEvents.ts';
import { httpObservation, httpStallObservation } from './observe/httpEvents.ts';
import { nodeIndex } from './observe/nodeIndex.ts';
import { ObservationLog } from './observations.ts';
import { PhaseTracker } from './phaseTracker.ts';
import { pollCluster } from './apiPoller.ts';
import type { LabFaults } from './faultPort.ts';
import * as faultSteps from './faultSteps.ts';
import { answeredSample, availabilityOf } from './availability.ts';
import { watchPxeStalls } from './pxeStall.ts';
import type { ScenarioPlan, Steps } from './plan.ts';
import { nodeNamed, type RunContext } from './runContext.ts';
import * as steps from './steps.ts';
import { SupervisedMachine } from './supervisor.ts';
import { badConsoleEvent, consoleUnitFailure } from './terminal/consoleVerdicts.ts';
import { flowUnits, type FlowUnits } from './terminal/flowUnits.ts';
import { JournalVerdicts } from './terminal/journalVerdicts.ts';
import { TerminalEvents } from './terminal/registry.ts';
import { headline, type TerminalEvent } from './terminal/terminalEvent.ts';
import type { NodeSpec } from './topology.ts';
import { assertionFinding, judgeVerdict, type Expectation } from './verdict.ts';
import { formatMs, NodeFailed, type WaitEnv } from './waits.ts';

export interface RunInput {
  scenario: { name: string; description?: string; nodes: NodeSpec[]; expect?: Expectation };
  /** The flow's units and whether systemd restarts them (from the rendered templates): which failures are terminal. */
  units?: FlowUnits;
  /** Lint rule names found on the configs (what a reproducer's `lint` reasons match). */
  lintRules?: string[];
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
  /** The lab's network and mirror faults, for the scenario's fault steps. */
  faults?: LabFaults;
  /** Leave the machines running after the verdict (--keep, --keep-on-failure): the caller ends them with the lab. */
  keepMachines?: (outcome: RunResult['outcome']) => boolean;
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
  const terminal = new TerminalEvents();
  const units = input.units ?? flowUnits([]);
  const journals = new Map(nodes.map((n) => [n.name, new NodeJournal(n.name)]));
  const verdicts = nodes.map((n) => {
    const v = new JournalVerdicts(n.name, units, (e) => terminal.report(e));
    journals.get(n.name)!.subscribe((l) => v.feed(l.entry, l.boot, l.at));
    return v;
  });
  terminal.subscribe((e) => {
    log.add({ at: e.at, node: e.node, source: e.source === 'journal' ? 'journal' : e.source, kind: 'terminal', detail: headline(e), boot: e.boot });
    progress.setStatus(e.node, `FAILED: ${e.unit ? `${e.unit} ${e.reason}` : e.reason}`);
    progress.note(headline(e));
  });
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
    console.subscribe((line) => {
      consoleObservations(m.node, line, machines.get(m.node)?.isDiskBoot(line.boot) ?? false).forEach((o) => log.add(o));
      const failed = consoleUnitFailure(m.node, line.boot, line.text, units, line.at);
      if (failed) terminal.report(failed);
    });
    console.onFailure((f) => terminal.report(badConsoleEvent(m.node, f)));
    const cannotBoot = (err: unknown): void => {
      failures.push(`${m.node}: could not boot again: ${oneLine(err)}`);
      terminal.report({ node: m.node, boot: m.boots + 1, at: Date.now(), reason: 'could not boot again', lines: [oneLine(err)], source: 'vm' });
    };
    machines.set(m.node, new SupervisedMachine(m, console, log, tracker, cannotBoot, journals.get(m.node)));
  }

  const waitEnv: WaitEnv = {
    scale: input.scale,
    phaseOf: (n) => tracker.phaseOf(n),
    consoleTail: (n, k) => consoles.get(n)?.tail(k) ?? [],
    failureOf: (n) => terminal.of(n, machines.get(n)?.boots),
    anyFailure: () => nodes.map((n) => terminal.of(n.name, machines.get(n.name)?.boots)).find((e) => e !== undefined),
    lastSeen: (n) => {
      const o = log.forNode(n).at(-1);
      return o && `${o.detail} (${o.source}, at ${formatMs(o.at - start)})`;
    },
    signal,
  };
  // Before the context: its steps read the samples.
  const apiPoll = pollCluster(input.access, nodes, log, tracker, input.apiPollMs ?? 2_000, (t) => progress.note(t));
  const ctx: RunContext = {
    nodes,
    machines: machines as Map<string, NodeMachine>,
    consoles,
    journals,
    ...(input.faults ? { faults: input.faults } : {}),
    log,
    tracker,
    waitEnv,
    access: input.access,
    holdPower: (node, hold) => machines.get(node)?.hold(hold),
    apiSamples: () => apiPoll.samples,
    note: (text) => progress.note(text),
  };

  const stopStallWatch = watchPxeStalls({ machines, consoles, log, tracker, silenceMs: pxeSilenceBudgetMs * input.scale, maxResets: pxeStallResets, note: (t) => progress.note(t), terminal: (e) => terminal.report(e) });
  const stepResults: StepResult[] = [];
  const mirrorFaults: NonNullable<RunEvidence['mirrorFaults']> = [];
  let runError: string | undefined;
  try {
    await input.plan.run(recordedSteps(ctx, start, stepResults, mirrorFaults));
  } catch (err) {
    runError = err instanceof Error ? err.message : String(err);
    progress.note(`run stopped: ${oneLine(err)}`);
  }
  apiPoll.stop();
  stopStallWatch();
  terminal.flush();

  // Evidence, also after a failed run: it explains the failure.
  progress.note('collecting evidence: SSH probes, API, etcd');
  // A run stopped at a terminal event has its verdict: one read is evidence enough, and asking again
  // only delays the verdict the user waits for (CI, stop 22: 38.5 s after install.sh's error).
  const { view: cluster, at: collectedAt, unanswered } = await readEndOfRunView(input.access, runError ? 1 : 3);
  const collected = await Promise.all(nodes.map((n) => collectNode(input.access, n, tracker, machines.get(n.name)?.boots ?? 0, input.scale)));
  const evidenceNodes = collected.map((c) => c.evidence);
  const sshJournals = collected.map((c) => c.journal);


  const evidence: RunEvidence = {
    nodes: evidenceNodes,
    http: readEntries(input.logs.mirror),
    dnsmasq: readLines(input.logs.dnsmasq),
    servedK3sSha256: input.servedK3sSha256,
    cluster,
    // The end-of-run cluster view is an API answer too: a recovery the once-a-second poll just missed
    // (a slow API after a power cut answers past the poll's deadline) still counts.
    apiSamples: [...apiPoll.samples, ...unanswered, ...(cluster.error ? [] : [answeredSample(collectedAt, cluster.nodes)])],
    faults: stepResults.filter((s) => s.fault).map((s) => ({ name: s.name, at: start + s.offsetMs, endAt: start + s.offsetMs + s.durationMs })),
    recoveryBudgetMs: recoveryBudgetMs * input.scale,
    mirrorFaults,
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
  const error = [runError, ...failures].filter(Boolean).join('\n') || undefined;
  const outcome = error ? 'error' : assertions.every((a) => a.ok) ? 'pass' : 'fail';

  // Kept machines go on running (and rebooting) until the caller takes the lab down.
  if (!input.keepMachines?.(outcome)) for (const m of machines.values()) await m.dispose();
  for (const f of followers) await f.stop();
  for (const v of verdicts) v.stop();
  progress.stop();

  const nodeResults: NodeResult[] = nodes.map((n, i) => {
    const m = machines.get(n.name)!;
    const consoleLogs = m.bootLogs.map((b) => input.report.copyLog(`logs/${n.name}.boot${b.boot}.console.log`, b.serialLog));
    const journal = journals.get(n.name)!;
    for (const boot of journal.boots()) consoleLogs.push(input.report.writeText(`logs/${n.name}.boot${boot}.journal.log`, journal.text(boot)));
    consoleLogs.push(input.report.writeText(`logs/${n.name}.journal.log`, sshJournals[i] ?? ''));
    const failure = terminal.of(n.name);
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
  // Each API answer with every node's Ready and heartbeat (the node's clock), the end-of-run view
  // last: what explains a node that read Ready in a wait and NotReady a moment later.
  if (evidence.apiSamples?.length) input.report.writeText('logs/api-samples.jsonl', evidence.apiSamples.map((a) => JSON.stringify({ offsetMs: a.at - start, ...a })).join('\n') + '\n');

  const events = terminal.all();
  const availability = availabilityOf(apiPoll.samples, start);
  const sawLine = (node: string | undefined, text: string): boolean =>
    nodes.some((n) => (!node || n.name === node) && (journals.get(n.name)!.find(new RegExp(escapeRegExp(text))) !== undefined || consoles.get(n.name)!.find(new RegExp(escapeRegExp(text))) !== undefined));
  const verdict = judgeVerdict(input.scenario.expect, { outcome, events, assertions, ...(runError ? { runError } : {}), lintRules: input.lintRules ?? [], sawLine });
  const toResult = (e: TerminalEvent): CauseResult => ({ node: e.node, boot: e.boot, ...(e.unit ? { unit: e.unit } : {}), reason: e.reason, lines: e.lines, source: e.source, offsetMs: e.at - start, headline: headline(e) });
  const finished = Date.now();
  const result: RunResult = {
    scenario: input.scenario.name,
    ...(input.scenario.description ? { description: input.scenario.description } : {}),
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - start,
    outcome,
    expected: input.scenario.expect?.outcome ?? 'pass',
    verdict,
    ...(events[0] ? { cause: toResult(events[0]) } : {}),
    consequences: consequencesOf(events, assertions, runError),
    terminalEvents: events.map(toResult),
    ...(error ? { error } : {}),
    ...(availability ? { availability } : {}),
    accel: input.accel,
    timeoutScale: input.scale,
    artifacts: input.artifacts,
    nodes: nodeResults,
    steps: stepResults,
    assertions,
    // What the scenario says should go wrong comes first, then the failed assertions' first findings, then lint.
    diagnosis: [
      ...verdict.reasons.map((r) => `expected: ${r.text} — ${r.seen ? 'seen' : 'NOT seen'}`),
      ...assertions.filter((a) => !a.ok).map((a) => `observed: ${a.name}: ${a.detail.split('\n').find((l) => /FAIL/.test(l)) ?? a.detail.split('\n')[0]}`),
      ...(input.diagnosis ?? []),
    ],
    files,
  };
  input.report.writeResult(result);
  return result;
}

/**
 * What followed the cause, named as consequences: the other terminal events, why the run stopped
 * when that was not the cause itself, and the failed assertions' first findings.
 */
function consequencesOf(events: readonly TerminalEvent[], assertions: AssertionResult[], runError: string | undefined): string[] {
  const out = events.slice(1).map((e) => headline(e));
  const causeHeadline = events[0] && headline(events[0]);
  const stop = runError?.split('\n')[0];
  if (stop && !(causeHeadline && stop.startsWith(causeHeadline))) out.push(`run stopped: ${stop}`);
  for (const a of assertions.filter((x) => !x.ok)) out.push(assertionFinding(a));
  return out;
}

/** The plan's steps, each call timed and recorded (a failing step records its error and rethrows). */
function recordedSteps(ctx: RunContext, start: number, out: StepResult[], mirrorFaults: NonNullable<RunEvidence['mirrorFaults']>): Steps {
  const record = async (name: string, node: string | undefined, fn: () => Promise<unknown>, fault = false): Promise<void> => {
    const t0 = Date.now();
    ctx.note(`${fault ? 'fault' : 'step'}: ${name}`);
    const tag = { ...(fault ? { fault } : {}), ...(node ? { node } : {}) };
    try {
      await fn();
      out.push({ name, ...tag, offsetMs: t0 - start, durationMs: Date.now() - t0, ok: true });
    } catch (err) {
      out.push({ name, ...tag, offsetMs: t0 - start, durationMs: Date.now() - t0, ok: false, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  };
  const fault = (name: string, node: string | undefined, fn: () => Promise<unknown>) => record(name, node, fn, true);
  const scaled = (ms: number) => ms * ctx.waitEnv.scale;
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
    waitForLine: (node, pattern, opts) => record(`wait for ${pattern} in ${node}'s journal or console`, node, () => steps.waitForLine(ctx, node, pattern, opts)),
    powerOutage: (opts = {}) => {
      const which = opts.nodes ?? ctx.nodes.map((n) => n.name);
      const offMs = opts.offMs ?? 10_000;
      return fault(`power outage: ${which.join(', ')} off for ${Math.round(offMs / 1000)} s`, which.length === 1 ? which[0] : undefined, () => faultSteps.powerOutage(ctx, which, offMs));
    },
    powerCutAt: (node, moment, opts = {}) => fault(`power cut ${node} ${opts.afterMs ? `${Math.round(opts.afterMs / 1000)} s after` : 'at'} ${faultSteps.describeMoment(moment)}`, node, () => faultSteps.powerCutAt(ctx, node, moment, opts.offMs ?? 5_000, opts.afterMs)),
    linkDown: (node) => fault(`link down ${node}`, node, () => faultSteps.linkDown(ctx, node)),
    linkUp: (node) => fault(`link up ${node}`, node, () => faultSteps.linkUp(ctx, node)),
    degradeLink: (node, imp) => fault(`degrade ${node}'s link (${faultSteps.describeImpairment(imp)})`, node, () => faultSteps.degradeLink(ctx, node, imp)),
    restoreLink: (node) => fault(`restore ${node}'s link`, node, () => faultSteps.restoreLink(ctx, node)),
    partition: (a, b) => fault(`partition ${a.join(', ')} | ${b.join(', ')}`, undefined, () => faultSteps.partition(ctx, a, b)),
    heal: () => fault('heal the partition', undefined, () => faultSteps.heal(ctx)),
    silenceDhcp: (node) => fault(`DHCP silent towards ${node}`, node, () => faultSteps.silenceDhcp(ctx, node)),
    restoreDhcp: (node) => fault(`DHCP answers ${node} again`, node, () => faultSteps.restoreDhcp(ctx, node)),
    deleteNode: (node) => record(`delete node ${node} from the cluster`, node, () => ctx.access.deleteNode(nodeNamed(ctx, node).name)),
    powerOff: (node) => fault(`power off ${node}`, node, () => faultSteps.powerOff(ctx, node)),
    powerOn: (node) => fault(`power on ${node}`, node, () => faultSteps.powerOn(ctx, node)),
    replaceDisk: (node) => fault(`replace ${node}'s disk by an empty one`, node, () => faultSteps.replaceDisk(ctx, node)),
    mirrorFault: (path, action, count) => fault(`mirror: ${path} ${action === 'stall' ? 'stalls' : `answers ${action}`} for the next ${count} request${count === 1 ? '' : 's'}`, undefined, async () => {
      faultSteps.mirrorFault(ctx, path, action, count);
      mirrorFaults.push({ path, action, count });
    }),
    pause: (baseMs) => record(`pause ${Math.round(scaled(baseMs) / 1000)} s`, undefined, () => new Promise((r) => setTimeout(r, scaled(baseMs)))),
    waitForRecovery: () => {
      const lastFault = out.filter((s) => s.fault).at(-1);
      return record('wait for the cluster to recover', undefined, () => steps.waitForRecovery(ctx, lastFault ? { at: start + lastFault.offsetMs, endAt: start + lastFault.offsetMs + lastFault.durationMs } : { at: Date.now(), endAt: Date.now() }));
    },
    waitForNodeReady: (node, ready, baseMs = 300_000) => record(`wait for ${node} ${ready ? 'Ready' : 'NotReady'}`, node, () => faultSteps.waitForNodeReady(ctx, node, ready, baseMs)),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
