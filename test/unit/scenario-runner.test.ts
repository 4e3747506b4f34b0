import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../harness/guest/ssh.ts';
import { containsSecret } from '../../harness/report/redact.ts';
import { ReportDir } from '../../harness/report/reportDir.ts';
import { installAndJoin, type ScenarioPlan } from '../../harness/scenario/plan.ts';
import { runScenario, type RunInput } from '../../harness/scenario/runner.ts';
import type { NodeSpec } from '../../harness/scenario/topology.ts';
import { FakeMachine, FakeWorld, type FakeEvent } from './support/fakeLab.ts';

const dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const token = 'runner-test-secret-token';
const sha = 'c'.repeat(64);
const nodes: NodeSpec[] = [
  { name: 'node-1', mac: '52:54:00:00:00:46', ip: '10.0.0.70', role: 'init' },
  { name: 'node-2', mac: '52:54:00:00:00:47', ip: '10.0.0.71', role: 'server' },
];
const hex = (ip: string) => ip.split('.').map((p) => Number(p).toString(16).toUpperCase().padStart(2, '0')).join('');

/** The flow as the real lab shows it, compressed to milliseconds. */
function healthyScript(n: NodeSpec, opts: { panicInBoot?: number; stallAfterLive?: boolean } = {}): (boot: number) => FakeEvent[] {
  return (boot) => {
    if (boot === opts.panicInBoot) return [{ afterMs: 30, console: '[    3.2] Kernel panic - not syncing: VFS: Unable to mount root fs' }, { afterMs: 35, console: '[    3.2] CPU: 0 PID: 1 Comm: swapper/0 Not tainted' }];
    if (boot === 1) {
      const pxe: FakeEvent[] = [
        { afterMs: 20, dnsmasq: `Nov 25 18:30:01 dnsmasq-dhcp[9]: DHCPACK(fklbr0) ${n.ip} ${n.mac} ${n.name}` },
        { afterMs: 30, dnsmasq: `Nov 25 18:30:01 dnsmasq-tftp[9]: sent /run/x/tftp/pxelinux.cfg/${hex(n.ip)} to ${n.ip}` },
        { afterMs: 40, http: `${n.ip} GET /flatcar/amd64-usr/current/flatcar_production_pxe.vmlinuz 200 1000 5ms` },
        { afterMs: 60, http: `${n.ip} GET /ignition/${n.name}-ignite-pxe.ign 200 900 1ms` },
      ];
      if (opts.stallAfterLive) return [...pxe, { afterMs: 70, console: `${n.name} login: ` }];
      return [
        ...pxe,
        { afterMs: 70, console: '         Starting \x1b[0;1;39minstaller.service\x1b[0m - Install Flatcar...' },
        { afterMs: 80, http: `${n.ip} GET /flatcar/amd64-usr/4081.0.0/flatcar_production_image.bin.bz2 200 140000000 900ms` },
        { afterMs: 120, reboot: true },
      ];
    }
    const disk: FakeEvent[] = [{ afterMs: 50, k3sUp: true }, { afterMs: 55, console: '[  OK  ] Started k3s.service - Lightweight Kubernetes.' }];
    if (boot === 2) {
      return [
        { afterMs: 20, console: `ignition[412]: Ignition finished successfully` },
        { afterMs: 25, http: `${n.ip} GET /k3s/install.sh 200 30000 2ms` },
        { afterMs: 30, console: '         Starting k3s-install.service - Run K3s script...' },
        { afterMs: 35, console: `k3s-install.sh[700]: [INFO]  env: K3S_TOKEN=${token}` },
        { afterMs: 40, http: `${n.ip} GET /k3s/releases/download/v1.31.4+k3s1/k3s 200 70000000 300ms` },
        ...disk,
      ];
    }
    return disk;
  };
}

function answers(machines: Map<string, FakeMachine>) {
  const answer = (node: NodeSpec, command: string): CommandResult => {
    if (command.includes('@@probe')) {
      // A probe batch: answer each command in it as the node would, in the batch's output format.
      const sections = batchCommands(command).map(([name, cmd]) => {
        const r = answer(node, cmd);
        return `@@probe ${name}\ncode=${r.code}\n${Buffer.from(r.stdout).toString('base64')}\n${Buffer.from(r.stderr).toString('base64')}\n`;
      });
      return { stdout: sections.join(''), stderr: '', code: 0 };
    }
    const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', code: 0 });
    if (command.includes('systemctl reboot')) {
      // The guest goes down a moment after the command returns.
      setTimeout(() => void machines.get(node.name)!.powerCut(), 20);
      return ok('');
    }
    if (command.includes('touch /usr/local/bin/k3s-ro-test')) return { stdout: '', stderr: "touch: cannot touch '/usr/local/bin/k3s-ro-test': Read-only file system\n", code: 1 };
    if (command.includes('sha256sum /opt/bin/k3s')) return ok(`${sha}  /opt/bin/k3s\n`);
    if (command.includes('ls -l /usr/local/bin/k3s')) return { stdout: '', stderr: 'No such file or directory', code: 2 };
    if (command.includes('journalctl -b --no-pager')) return ok(`[  12.0] ${node.name} systemd[1]: Started k3s.service\n`);
    if (command.includes('--list-boots')) return ok(' 0 0123456789abcdef0123456789abcdef Wed 2026-11-25 18:30:00 UTC—Wed 2026-11-25 18:31:00 UTC\n');
    if (command.includes('k3s-install.service -o json')) {
      return ok(JSON.stringify({ _BOOT_ID: '0123456789abcdef0123456789abcdef', MESSAGE: "touch: cannot touch '/usr/local/bin/k3s-ro-test': Read-only file system", _SYSTEMD_UNIT: 'k3s-install.service' }) + '\n');
    }
    return { stdout: '', stderr: `unexpected: ${command}`, code: 127 };
  };
  return answer;
}

function setup(name: string, plan: ScenarioPlan, scriptOf: (n: NodeSpec) => (boot: number) => FakeEvent[], scale = 1) {
  const runDir = mkdtempSync(join(dir, `${name}-`));
  const logs = { dnsmasq: join(runDir, 'dnsmasq.log'), mirror: join(runDir, 'access.log') };
  writeFileSync(logs.dnsmasq, '');
  writeFileSync(logs.mirror, '');
  const machines = new Map<string, FakeMachine>();
  const world = new FakeWorld(answers(machines));
  for (const n of nodes) machines.set(n.name, new FakeMachine(n.name, runDir, logs, scriptOf(n), world));
  const out: string[] = [];
  const report = new ReportDir(join(runDir, 'report'), [token]);
  const input: RunInput = {
    scenario: { name, nodes },
    plan,
    machines: [...machines.values()],
    access: world.access(nodes),
    logs,
    report,
    accel: { accel: 'tcg', reason: 'test' },
    scale,
    artifacts: [{ name: 'k3s', source: 'fake', sha256: sha }],
    servedK3sSha256: sha,
    configs: [{ rel: 'configs/node-1-ignite-boot.ign', text: JSON.stringify({ ignition: { version: '3.3.0' }, systemd: { units: [{ name: 'k3s-install.service', contents: `Environment="K3S_TOKEN=${token}"` }] } }) }],
    progress: { write: (t) => out.push(t), isTTY: false },
    apiPollMs: 30,
  };
  return { input, report, world, out, machines };
}

describe('runner', () => {
  it('drives a healthy two-node run through every phase, judges it, and writes a redacted report', async () => {
    const { input, report, out, machines, world } = setup('two-node', installAndJoin, (n) => healthyScript(n));
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('pass');
    for (const n of result.nodes) {
      expect(n.phase).toBe('joined');
      expect(n.marks.map((m) => m.phase)).toEqual(['dhcp', 'pxe-config', 'live', 'installing', 'rebooted', 'first-boot', 'k3s-install', 'k3s-ready', 'joined']);
      expect(n.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'the guest rebooted']);
      expect(n.consoleLogs).toEqual([`logs/${n.name}.boot1.console.log`, `logs/${n.name}.boot2.console.log`, `logs/${n.name}.journal.log`]);
    }
    expect(result.assertions.map((a) => `${a.name}:${a.ok}`)).toEqual(['usr-local-bin-read-only:true', 'k3s-in-opt-bin:true', 'all-nodes-joined:true', 'no-reinstall:true']);
    expect(result.steps.map((s) => s.name)).toEqual(['boot all nodes', 'wait for joined']);
    expect(out.join('')).toContain('node-2 → installing');
    expect([...machines.values()].every((m) => !m.running())).toBe(true);
    const bootLog = readFileSync(join(report.path, 'logs/node-1.boot2.console.log'), 'utf8');
    expect(bootLog).toContain('Started k3s.service');
    expect(containsSecret(bootLog, [token])).toBe(false);
    expect(containsSecret(readFileSync(join(report.path, 'configs/node-1-ignite-boot.ign'), 'utf8'), [token])).toBe(false);
    expect(JSON.parse(readFileSync(join(report.path, 'result.json'), 'utf8')).outcome).toBe('pass');
    expect(readFileSync(join(report.path, 'logs/mirror-access.log'), 'utf8')).toContain('flatcar_production_image.bin.bz2');
    expect(readFileSync(join(report.path, 'logs/node-2.journal.log'), 'utf8')).toContain('node-2 systemd[1]: Started k3s.service');
    // The API's answers as the run saw them, the end-of-run view last: every node listed with its Ready.
    const answers = readFileSync(join(report.path, 'logs/api-samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(answers.at(-1)).toMatchObject({ ok: true, nodes: [expect.objectContaining({ name: 'node-1', ready: true }), expect.objectContaining({ name: 'node-2', ready: true })] });
    expect(answers.every((a) => typeof a.offsetMs === 'number')).toBe(true);
    // Each SSH handshake costs a TCG guest seconds of CPU: probes and journal share one session per node.
    for (const n of result.nodes) expect(world.sshCalls.filter((c) => c.startsWith(`${n.name}: `))).toHaveLength(1);
  });

  it('asks the API rarely until the first server says k3s started, and still sees a k3s that never says so', async () => {
    // k3s comes up 600 ms after its install starts and its console never says "Started k3s.service".
    const quiet = (n: NodeSpec) => (boot: number) =>
      boot === 2 ? healthyScript(n)(2).filter((e) => !('console' in e && e.console.includes('Started k3s'))).map((e) => ('k3sUp' in e ? { ...e, afterMs: 600 } : e)) : healthyScript(n)(boot);
    const { input, world } = setup('quiet-k3s', installAndJoin, quiet);
    const result = await runScenario(input);
    expect(result.outcome).toBe('pass');
    expect(result.nodes.map((n) => n.marks.find((m) => m.phase === 'k3s-ready')?.evidence)).toEqual(['API lists node-1', 'API lists node-2']);
    // k3s-install to k3s up is about 570 ms: polling every 30 ms would ask some 19 times; the slow pace is one per 450 ms.
    expect(world.clusterCallsBeforeK3s).toBeGreaterThan(0);
    expect(world.clusterCallsBeforeK3s).toBeLessThanOrEqual(3);
  });

  it('reboots a node through SSH, cuts and presses power, and waits each time until it is back Ready', async () => {
    const plan: ScenarioPlan = {
      assertions: ['no-reinstall'],
      async run(t) {
        await t.bootAll();
        await t.waitForPhase('joined');
        await t.reboot('node-2');
        await t.powerCut('node-1');
        await t.powerButton('node-2');
      },
    };
    const { input, world } = setup('reboot', plan, (n) => healthyScript(n));
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect(result.steps.map((s) => `${s.name}:${s.ok}`)).toEqual(['boot all nodes:true', 'wait for joined:true', 'reboot node-2:true', 'power-cut node-1:true', 'power button node-2:true']);
    expect(result.nodes.find((n) => n.name === 'node-2')!.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'the guest rebooted', 'the guest rebooted', 'power button pressed again']);
    expect(result.nodes.find((n) => n.name === 'node-1')!.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'the guest rebooted', 'power restored after a power cut']);
    expect(world.sshCalls).toContain("node-2: sudo -n sh -c 'systemctl reboot'");
    expect(result.outcome).toBe('pass');
  });

  it('replaces a disk: the node PXE-installs and joins again, its phases start over, no-reinstall judges each disk', async () => {
    const plan: ScenarioPlan = {
      assertions: ['no-reinstall', 'all-nodes-joined'],
      async run(t) {
        await t.bootAll();
        await t.waitForPhase('joined');
        await t.powerOff('node-2');
        await t.deleteNode('node-2');
        await t.replaceDisk('node-2');
        await t.powerOn('node-2');
        await t.waitForPhase('joined', ['node-2']);
      },
    };
    const { input, world } = setup('replace-disk', plan, (n) => healthyScript(n));
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect(result.steps.map((s) => `${s.name}:${s.ok}:${s.fault ?? false}`)).toEqual([
      'boot all nodes:true:false',
      'wait for joined:true:false',
      'power off node-2:true:true',
      'delete node node-2 from the cluster:true:false',
      "replace node-2's disk by an empty one:true:true",
      'power on node-2:true:true',
      'wait for joined (node-2):true:false',
    ]);
    expect(world.deleted).toEqual(['node-2']);
    const node2 = result.nodes.find((n) => n.name === 'node-2')!;
    expect(node2.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'the guest rebooted', 'power on', 'the guest rebooted']);
    // Both disks' phases are in the report, the new disk's after the replacement.
    const joined = node2.marks.filter((m) => m.phase === 'joined');
    expect(joined).toHaveLength(2);
    expect(node2.marks.filter((m) => m.phase === 'pxe-config')).toHaveLength(2);
    expect(node2.phase).toBe('joined');
    expect(result.assertions.find((a) => a.name === 'no-reinstall')!.detail).toContain('(the disk was replaced 1×)');
    expect(result.outcome).toBe('pass');
  });

  it('--reuse-install: a node from a cached install skips the PXE stage, and the report and no-reinstall say so', async () => {
    const { input, machines } = setup('reuse-install', installAndJoin, (n) => healthyScript(n));
    for (const m of machines.values()) m.reusedInstall = `install k-${m.node} from /cache/installs/k-${m.node}`;
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('pass');
    for (const n of result.nodes) {
      expect(n.boots.map((b) => b.how)).toEqual(['power on (a cached install: boots from disk)']);
      expect(n.marks.map((m) => m.phase)).toEqual(['installing', 'rebooted', 'first-boot', 'k3s-install', 'k3s-ready', 'joined']);
      expect(n.marks[0]!.evidence).toBe(`PXE stage reused (--reuse-install): install k-${n.name} from /cache/installs/k-${n.name}`);
    }
    // Nothing installed in this run: nothing is kept again.
    expect([...machines.values()].map((m) => m.keptAfter)).toEqual([[], []]);
    const noReinstall = result.assertions.find((a) => a.name === 'no-reinstall')!;
    expect(noReinstall.detail).toContain('node-1: ok — PXE stage reused (--reuse-install), pxelinux.cfg/0A000046 fetched 0×, disk image fetched 0×');
  });

  it('--reuse-install: a reused disk that falls back to PXE fails no-reinstall', async () => {
    // node-2's "installed" disk does not boot: the firmware falls through to PXE and it installs.
    const { input, machines } = setup('reuse-fallback', installAndJoin, (n) => healthyScript(n));
    machines.get('node-2')!.reusedInstall = 'install k-2';
    const fallback = healthyScript(nodes[1]!);
    (machines.get('node-2') as unknown as { script: (b: number) => FakeEvent[] }).script = (b) => fallback(b - 1);
    const result = await runScenario(input);
    expect(result.assertions.find((a) => a.name === 'no-reinstall')!.detail).toContain('node-2: FAIL — PXE stage reused (--reuse-install), pxelinux.cfg/0A000047 fetched 1×, 1× after installing, disk image fetched 1×');
  });

  it('keeps the disk once, while QEMU is off, after the boot that installed ended by the guest rebooting', async () => {
    const plan: ScenarioPlan = {
      assertions: ['no-reinstall'],
      async run(t) {
        await t.bootAll();
        await t.waitForPhase('joined');
        await t.reboot('node-2');
      },
    };
    const { input, machines } = setup('keep-install', plan, (n) => healthyScript(n));
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect([...machines.values()].map((m) => m.keptAfter)).toEqual([[{ boots: 1, running: false }], [{ boots: 1, running: false }]]);
  });

  it('refuses to replace the disk of a running node', async () => {
    const plan: ScenarioPlan = {
      assertions: ['no-reinstall'],
      async run(t) {
        await t.bootAll();
        await t.replaceDisk('node-2');
      },
    };
    const { input } = setup('replace-running', plan, (n) => healthyScript(n));
    const result = await runScenario(input);
    expect(result.error).toContain('node-2 is on: power it off before replacing its disk');
  });

  it("ends at a flow unit's failure in the journal stream and names it first: node, boot, unit, the tool's own lines", async () => {
    // node-2's install.sh aborts as k3s PR #13712's does on Flatcar; node-1 would join.
    const unit = 'k3s-install.service';
    const pid1 = (MESSAGE: string, extra: Record<string, string> = {}) => ({ MESSAGE, UNIT: unit, SYSLOG_IDENTIFIER: 'systemd', _PID: '1', ...extra });
    const out = (MESSAGE: string) => ({ MESSAGE, _SYSTEMD_UNIT: unit, SYSLOG_IDENTIFIER: 'sh', _PID: '473' });
    const failing = (n: NodeSpec) => (boot: number): FakeEvent[] => {
      if (boot !== 2) return healthyScript(n)(boot);
      return [
        { afterMs: 20, console: 'ignition[412]: Ignition finished successfully' },
        { afterMs: 30, console: '         Starting k3s-install.service - Run K3s script...' },
        { afterMs: 40, journal: out('[INFO]  Installing k3s to /opt/bin/k3s') },
        { afterMs: 45, journal: out('[ERROR]  Failed to find the k3s-selinux policy, please install:') },
        { afterMs: 46, journal: out('    yum install -y container-selinux') },
        { afterMs: 50, journal: pid1("k3s-install.service: Failed with result 'exit-code'.") },
        { afterMs: 51, journal: pid1('Failed to start k3s-install.service - Run K3s script.', { JOB_RESULT: 'failed' }) },
        { afterMs: 52, console: '[FAILED] Failed to start k3s-install.service - Run K3s script.' },
        // A probe's noise after the failure is never the cause.
        { afterMs: 60, journal: { MESSAGE: 'sudo: unable to resolve host node-2: Temporary failure in name resolution', SYSLOG_IDENTIFIER: 'sudo', _PID: '600' } },
      ];
    };
    const { input, report } = setup('unit-failed', installAndJoin, (n) => (n.name === 'node-2' ? failing(n) : healthyScript(n)));
    const started = Date.now();
    const result = await runScenario(input);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.cause).toMatchObject({ node: 'node-2', boot: 2, unit, reason: 'failed', source: 'journal' });
    expect(result.cause!.lines).toEqual(['[ERROR]  Failed to find the k3s-selinux policy, please install:', '    yum install -y container-selinux']);
    expect(result.verdict.summary).toBe('ERROR: node-2 boot 2: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy, please install:');
    expect(result.terminalEvents).toHaveLength(1);
    const junit = readFileSync(join(report.path, 'junit.xml'), 'utf8');
    expect(junit).toContain('name="verdict" time=');
    expect(junit).toContain('<failure message="ERROR: node-2 boot 2: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy');
    const html = readFileSync(join(report.path, 'report.html'), 'utf8');
    expect(html.indexOf('id="cause"')).toBeGreaterThan(0);
    expect(html.indexOf('id="cause"')).toBeLessThan(html.indexOf('id="assertions"'));
    expect(html).not.toMatch(/id="cause"[^<]*unable to resolve/);
    // The streamed journal of every boot is in the report, as a person reads a journal.
    expect(readFileSync(join(report.path, 'logs/node-2.boot2.journal.log'), 'utf8')).toContain('sh[473]: [ERROR]  Failed to find the k3s-selinux policy');
  });

  it('fails a node at once on a kernel panic, quoting the console, and still writes the report', async () => {
    const { input, report } = setup('panic', installAndJoin, (n) => healthyScript(n, n.name === 'node-2' ? { panicInBoot: 2 } : {}));
    const started = Date.now();
    const result = await runScenario(input);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.outcome).toBe('error');
    expect(result.error).toContain('node-2 boot 2: kernel panic on the console: ');
    expect(result.error).toContain('(reached: rebooted; was waiting for phase first-boot)');
    // The cause comes first everywhere: result.json's cause and the verdict line name node and boot.
    expect(result.cause).toMatchObject({ node: 'node-2', boot: 2, reason: 'kernel panic on the console', source: 'console' });
    expect(result.verdict.summary).toMatch(/^ERROR: node-2 boot 2: kernel panic on the console: .*Kernel panic - not syncing/);
    expect(result.error).toContain('Unable to mount root fs');
    expect(result.nodes.find((n) => n.name === 'node-2')!.failure).toContain('kernel panic');
    // node-2 is not booted again after the panic, and its probes say why they could not run.
    expect(result.nodes.find((n) => n.name === 'node-2')!.boots).toHaveLength(2);
    expect(result.assertions.find((a) => a.name === 'k3s-in-opt-bin')!.detail).toContain('node-2: FAIL — no SSH probes (never reached first-boot (reached: rebooted))');
    expect(readFileSync(join(report.path, 'report.html'), 'utf8')).toContain('kernel panic');
  });

  it('a stalled node times out naming its phase, what was awaited and its last console lines', async () => {
    const { input } = setup('stall', installAndJoin, (n) => healthyScript(n, n.name === 'node-1' ? { stallAfterLive: true } : {}), 0.01);
    const result = await runScenario(input);
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(/^node-1 \(reached: live\): timed out after \d+ m?s waiting for phase installing/);
    expect(result.error).toContain('last 1 console lines of node-1:\n  | node-1 login: ');
    expect(result.steps.at(-1)).toMatchObject({ name: 'wait for joined', ok: false });
  });

  it('says at once, not only at the timeout, why it cannot read a cluster whose k3s has started', async () => {
    const { input, world, out } = setup('api-blind', installAndJoin, (n) => healthyScript(n), 0.01);
    world.clusterFailure = 'Cannot parse privateKey: Malformed OpenSSH private key';
    // When the run stopped and started collecting evidence.
    let collectingAt: number | undefined;
    const progress = input.progress!;
    const write = (t: string) => {
      if (t.includes('collecting evidence')) collectingAt ??= Date.now();
      progress.write(t);
    };
    input.progress = { ...progress, write };
    const result = await runScenario(input);
    // Stopped runs read the end-of-run view once: no 5 s gaps between retries before the verdict.
    expect(collectingAt).toBeDefined();
    expect(Date.now() - collectingAt!).toBeLessThan(4_000);
    expect(result.error).toMatch(/timed out .* waiting for phase joined/);
    const notes = out.join('').split('\n').filter((l) => l.includes('the API poll failed'));
    expect(notes).toEqual([expect.stringContaining('node-1: k3s started, but the API poll failed: Cannot parse privateKey: Malformed OpenSSH private key')]);
    expect(readFileSync(join(input.report.path, 'logs/observations.jsonl'), 'utf8')).toContain('"kind":"api-poll-failed"');
  });

  it('resets a node whose PXE boot goes silent before the live system, and carries on', async () => {
    // The bootloader stalls after reading its config (as lpxelinux.0 did mid-download): nothing more is seen.
    const stallOnce = (n: NodeSpec) => (boot: number) => (boot === 1 ? healthyScript(n)(1).slice(0, 2) : healthyScript(n)(boot - 1));
    const { input } = setup('pxe-stall', installAndJoin, (n) => (n.name === 'node-2' ? stallOnce(n) : healthyScript(n)), 0.02);
    const result = await runScenario(input);
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('pass');
    const node2 = result.nodes.find((n) => n.name === 'node-2')!;
    expect(node2.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'reset after a PXE stall (1 of 2)', 'the guest rebooted']);
    const observations = readFileSync(join(input.report.path, 'logs/observations.jsonl'), 'utf8');
    expect(observations).toMatch(/"kind":"pxe-stall","detail":"boot 1: PXE boot stalled — no console output and no DHCP\/TFTP\/HTTP event for \d+ (m?s) since \\"TFTP sent pxelinux.cfg\/0A000047\\"/);
    expect(result.nodes.find((n) => n.name === 'node-1')!.boots).toHaveLength(2);
  });

  it('after the allowed resets, a further stall is the node\'s terminal event, not a phase timeout', async () => {
    const stalledEveryBoot = (n: NodeSpec) => () => [
      ...healthyScript(n)(1).slice(0, 3),
      { afterMs: 50, http: `${n.ip} STALLED /flatcar/amd64-usr/current/flatcar_production_pxe_image.cpio.gz 47906816/161797944 15000ms` },
    ];
    const { input } = setup('pxe-stall-always', installAndJoin, (n) => (n.name === 'node-1' ? stalledEveryBoot(n) : healthyScript(n)), 0.02);
    const result = await runScenario(input);
    expect(result.outcome).toBe('error');
    const cause = 'node-1 boot 3: PXE boot stalled 3 times: the mirror says: download of /flatcar/amd64-usr/current/flatcar_production_pxe_image.cpio.gz stopped at 47.9 of 161.8 MB';
    expect(result.error).toContain(cause);
    expect(result.error).not.toContain('timed out');
    expect(result.verdict.summary).toContain(`ERROR: ${cause}`);
    const node1 = result.nodes.find((n) => n.name === 'node-1')!;
    expect(node1.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'reset after a PXE stall (1 of 2)', 'reset after a PXE stall (2 of 2)']);
  });

  it('gives up after the allowed resets, and the timeout says what the lab last saw of a silent node', async () => {
    // Silence takes longer to establish than the phase's budget allows three times over: the timeout ends it.
    const stallAlways = (n: NodeSpec) => () => healthyScript(n)(1).slice(0, 2);
    const { input } = setup('pxe-stall-silent', installAndJoin, (n) => (n.name === 'node-1' ? stallAlways(n) : healthyScript(n)), 0.02);
    const result = await runScenario(input);
    expect(result.outcome).toBe('error');
    expect(result.error).toMatch(/^node-1 \(reached: pxe-config\): timed out after .* waiting for phase live/);
    expect(result.error).toContain('last console lines of node-1: (none)\nlast seen by the lab: ');
    const node1 = result.nodes.find((n) => n.name === 'node-1')!;
    expect(node1.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'reset after a PXE stall (1 of 2)', 'reset after a PXE stall (2 of 2)']);
  });

  it('resets at once when the mirror reports the PXE download stalled, without waiting for silence', async () => {
    const stalledDownload = (n: NodeSpec) => (boot: number) =>
      boot === 1
        ? [...healthyScript(n)(1).slice(0, 3), { afterMs: 50, http: `${n.ip} STALLED /flatcar/amd64-usr/current/flatcar_production_pxe_image.cpio.gz 47906816/161797944 15000ms` }]
        : healthyScript(n)(boot - 1);
    // Scale 1: the silence rule alone would wait 90 s; the mirror's line makes it a few seconds.
    const { input } = setup('pxe-stall-mirror', installAndJoin, (n) => (n.name === 'node-1' ? stalledDownload(n) : healthyScript(n)), 1);
    const started = Date.now();
    const result = await runScenario(input);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.error).toBeUndefined();
    expect(result.outcome).toBe('pass');
    expect(result.nodes.find((n) => n.name === 'node-1')!.boots.map((b) => b.how)).toEqual(['power on (empty disk: PXE)', 'reset after a PXE stall (1 of 2)', 'the guest rebooted']);
    const observations = readFileSync(join(input.report.path, 'logs/observations.jsonl'), 'utf8');
    expect(observations).toContain('boot 1: PXE boot stalled — the mirror says: download of /flatcar/amd64-usr/current/flatcar_production_pxe_image.cpio.gz stopped at 47.9 of 161.8 MB (no data taken for 15 s)');
  });
});

/** The (name, command) pairs a batch script runs, read back from the script's text. */
function batchCommands(command: string): [string, string][] {
  const quoted = /^sudo -n sh -c '([\s\S]*)'$/.exec(command);
  const script = quoted ? quoted[1]!.replace(/'\\''/g, "'") : command;
  const out: [string, string][] = [];
  const re = /printf '@@probe %s\\n' '([^']+)'\n\(([\s\S]*?)\) >"\$d\/o" 2>"\$d\/e"; echo "code=\$\?"/g;
  for (const m of script.matchAll(re)) out.push([m[1]!, m[2]!]);
  return out;
}
