/**
 * PXE soak — a benchmark, not a test: boots a scenario's nodes by PXE again and again, all at
 * once, until each node's kernel prints its first console line (pxelinux has then fetched the
 * kernel and initrd over HTTP), and counts the boots that went silent instead (a stall). Each
 * boot is ended as soon as its kernel runs; the disks stay empty, so every round is a PXE boot.
 *   npx tsx scripts/pxe-soak.ts [--rounds N] [--scenario three-node-ha] [--silence-s 120] [--capture DIR] [--cwnd N]
 * --capture keeps a header-only packet capture of the lab bridge for each round with a stall.
 * --cwnd clamps the mirror's TCP congestion window towards the nodes to N segments (an experiment:
 * lpxelinux.0's TCP stack, which the lab loaded then, ran with a small receive window and sometimes
 * stopped answering; with --cwnd 8 it still stalled in 2 of 36 boots, against 3 of 54 without).
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeK3sReleaseDir } from '../harness/artifacts/k3sMirror.ts';
import { resolveK3s } from '../harness/artifacts/k3s.ts';
import { resolveInstallSh } from '../harness/artifacts/installSh.ts';
import { generateRunKey } from '../harness/guest/ssh.ts';
import { renderRun } from '../harness/ignition/index.ts';
import { Lab } from '../harness/lab/lab.ts';
import { onTerminate } from '../harness/lab/signals.ts';
import { formatStallLine, parseStallLine } from '../harness/services/accessLog.ts';
import { mirrorMounts } from '../harness/services/mirrorLayout.ts';
import { chooseAccel } from '../harness/vm/accel.ts';
import { labOsRelease } from '../harness/scenario/labOsRelease.ts';
import { LabMachine } from '../harness/scenario/labMachine.ts';
import { loadScenario, topologyOf } from '../harness/scenario/model.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '10' },
    scenario: { type: 'string', default: 'three-node-ha' },
    'silence-s': { type: 'string', default: '120' },
    capture: { type: 'string' },
    cwnd: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const silenceMs = Number(values['silence-s']) * 1000;

const scenario = await loadScenario(values.scenario!);
const accel = await chooseAccel();
const labOs = await labOsRelease(process.env, (l) => process.stderr.write(`${l}\n`));
const k3s = await resolveK3s({ kind: 'double' }, {});
const installSh = await resolveInstallSh({ kind: 'fixture' }, {});
const dir = mkdtempSync(join(tmpdir(), 'fkl-pxe-soak-'));
let lab: Lab | undefined;
const unregister = onTerminate(async () => rmSync(dir, { recursive: true, force: true }));

const kernelStarted = /Linux version /;
const stalls: string[] = [];
const kernelTimes: number[] = [];
try {
  const rendered = await renderRun(scenario, {
    outDir: join(dir, 'render'),
    sshPublicKey: generateRunKey('pxe-soak').publicKey,
    k3sVersion: k3s.version,
    installShPath: installSh.path,
    labOsVersion: labOs.version,
  });
  const mounts = mirrorMounts({
    renderedDir: rendered.mirrorDir,
    flatcar: [{ version: labOs.version, dir: labOs.dir, current: true }],
    k3s: [{ version: k3s.version, dir: writeK3sReleaseDir(join(dir, 'k3s-release'), k3s) }],
  });
  lab = await Lab.up({ topology: topologyOf(scenario), tftpRoot: rendered.tftpDir, mirrorMounts: mounts, logDir: join(dir, 'logs') });
  const theLab = lab;
  if (values.cwnd) {
    const [cmd, args] = theLab.inside('ip', ['-o', 'route', 'show', 'dev', theLab.names.bridge]);
    // The bridge's connected route, e.g. "10.0.0.0/24 proto kernel scope link src 10.0.0.5 linkdown".
    const route = (await execa(cmd, args)).stdout.split('\n')[0]!.trim().split(/\s+/);
    const src = route[route.indexOf('src') + 1]!;
    const [set, setArgs] = theLab.inside('ip', ['route', 'change', route[0]!, 'dev', theLab.names.bridge, 'proto', 'kernel', 'scope', 'link', 'src', src, 'cwnd', 'lock', values.cwnd]);
    await execa(set, setArgs);
    process.stderr.write(`pxe-soak: ${(await execa(cmd, args)).stdout.split('\n')[0]}\n`);
  }
  process.stderr.write(`pxe-soak: ${rounds} rounds of ${scenario.nodes.length} PXE boots at once (${accel.accel}); a boot with no kernel after ${silenceMs / 1000} s counts as a stall\n`);

  for (let round = 1; round <= rounds; round++) {
    const roundDir = join(dir, `round${round}`);
    mkdirSync(roundDir);
    const capture = values.capture
      ? theLab.spawn({ name: `tcpdump-round${round}`, cmd: 'tcpdump', args: ['-i', theLab.names.bridge, '-s', '96', '-w', join(roundDir, 'bridge.pcap'), 'tcp port 8080'], outputFile: join(roundDir, 'tcpdump.out') })
      : undefined;
    const machines = scenario.nodes.map((n) => new LabMachine(theLab, n, { accel: accel.accel, memoryMiB: 2048, dir: roundDir }));
    const starts = await Promise.all(machines.map((m) => m.powerOn('soak')));
    const outcome = await Promise.all(
      machines.map(async (m, i) => {
        const serial = starts[i]!.serialLog;
        // Firmware and pxelinux print nothing on the serial console: no kernel line in time is a stall.
        for (;;) {
          if (kernelStarted.test(readText(serial))) return { node: m.node, ms: Date.now() - starts[i]!.at };
          if (Date.now() - starts[i]!.at > silenceMs) return { node: m.node, stalled: true as const };
          await new Promise((r) => setTimeout(r, 250));
        }
      }),
    );
    for (const m of machines) await m.dispose();
    await capture?.stop(2000);
    const line = outcome.map((o) => ('stalled' in o ? `${o.node} STALLED` : `${o.node} ${(o.ms / 1000).toFixed(1)} s`)).join(', ');
    process.stderr.write(`round ${round}: ${line}\n`);
    const stallLines = readText(theLab.accessLog).split('\n').map(parseStallLine).filter((l) => l !== undefined);
    for (const o of outcome) {
      if (!('stalled' in o)) {
        kernelTimes.push(o.ms);
        continue;
      }
      const ip = scenario.nodes.find((n) => n.name === o.node)!.ip;
      const seen = stallLines.filter((l) => l.clientIp === ip).at(-1);
      stalls.push(`round ${round} ${o.node}`);
      process.stderr.write(`  ${o.node}: ${seen ? `the mirror saw it: ${formatStallLine(seen)}` : 'the mirror reported no stalled download'}\n`);
    }
    if (values.capture && outcome.some((o) => 'stalled' in o)) {
      const keep = join(values.capture, `round${round}`);
      mkdirSync(keep, { recursive: true });
      await execa('cp', ['-r', roundDir + '/.', keep]);
      await execa('cp', [theLab.accessLog, join(keep, 'mirror-access.log')]);
    }
    rmSync(roundDir, { recursive: true, force: true });
  }
} finally {
  await lab?.down();
  rmSync(dir, { recursive: true, force: true });
  unregister();
}

const sorted = [...kernelTimes].sort((a, b) => a - b);
const pct = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! / 1000).toFixed(1) : '—');
console.log(`boots: ${kernelTimes.length + stalls.length}, stalled: ${stalls.length}${stalls.length ? ` (${stalls.join('; ')})` : ''}`);
console.log(`power-on → kernel running: median ${pct(0.5)} s, p90 ${pct(0.9)} s, max ${pct(1)} s`);

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
