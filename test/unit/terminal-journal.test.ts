import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJournalLine } from '../../harness/guest/journalEntry.ts';
import { flowUnits } from '../../harness/scenario/terminal/flowUnits.ts';
import { crashLoopStarts, JournalVerdicts, settleMs } from '../../harness/scenario/terminal/journalVerdicts.ts';
import { headline, type TerminalEvent } from '../../harness/scenario/terminal/terminalEvent.ts';

const fixtures = join(import.meta.dirname, '../fixtures/journal');
const lines = (name: string) => readFileSync(join(fixtures, name), 'utf8').split('\n').filter(Boolean);

/** Feeds a journal stream to the detector and collects what it reports once it settled. */
async function verdictsOf(stream: string[], units = flowUnits([]), boot = 2): Promise<TerminalEvent[]> {
  const out: TerminalEvent[] = [];
  const v = new JournalVerdicts('node-1', units, (e) => out.push(e));
  for (const l of stream) {
    const e = parseJournalLine(l);
    if (e) v.feed(e, boot);
  }
  await new Promise((r) => setTimeout(r, settleMs + 100));
  v.stop();
  return out;
}

describe('journal stream', () => {
  it('parses journalctl -o json lines, byte-array messages included, and skips noise', () => {
    expect(parseJournalLine('{"MESSAGE":"hi","_SYSTEMD_UNIT":"a.service","_PID":"12","PRIORITY":"6"}')).toEqual({ message: 'hi', sourceUnit: 'a.service', pid: 12, priority: 6 });
    expect(parseJournalLine(`{"MESSAGE":[104,105,255]}`)?.message.startsWith('hi')).toBe(true);
    expect(parseJournalLine('garbage from the port')).toBeUndefined();
    expect(parseJournalLine('{"MESSAGE":"torn')).toBeUndefined();
    expect(parseJournalLine('{"NO_MESSAGE":"x"}')).toBeUndefined();
  });
});

describe('terminal events from the journal', () => {
  it("a oneshot flow unit failing is terminal and quotes install.sh's [ERROR] line and its hint lines", async () => {
    const events = await verdictsOf(lines('k3s-install-pr13712.jsonl'));
    expect(events).toHaveLength(1);
    const e = events[0]!;
    expect(e).toMatchObject({ node: 'node-1', boot: 2, unit: 'k3s-install.service', reason: 'failed', source: 'journal' });
    expect(e.lines[0]).toBe('[ERROR]  Failed to find the k3s-selinux policy, please install:');
    expect(e.lines[1]).toContain('yum install -y container-selinux');
    expect(e.lines.some((l) => l.startsWith('[INFO]'))).toBe(false);
    expect(headline(e)).toBe('node-1 boot 2: k3s-install.service failed: [ERROR]  Failed to find the k3s-selinux policy, please install:');
  });

  it("install.sh failing because k3s.service failed quotes k3s's own fatal line, named by its unit", async () => {
    const j = (message: string, unit: string, pid: number, extra: Record<string, string> = {}) =>
      JSON.stringify({ MESSAGE: message, PRIORITY: '6', ...(pid === 1 ? { UNIT: unit, SYSLOG_IDENTIFIER: 'systemd' } : { _SYSTEMD_UNIT: unit }), _PID: String(pid), ...extra });
    const fatal = `time="2026-12-02T02:00:00Z" level=fatal msg="apiserver exited: unable to find suitable network address.error='no default routes found'"`;
    const events = await verdictsOf([
      j('[INFO]  systemd: Starting k3s', 'k3s-install.service', 801),
      j(fatal, 'k3s.service', 900),
      j('k3s.service: Failed with result \'exit-code\'.', 'k3s.service', 1),
      j('Job for k3s.service failed because the control process exited with error code.', 'k3s-install.service', 802),
      j("k3s-install.service: Failed with result 'exit-code'.", 'k3s-install.service', 1),
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]!.unit).toBe('k3s-install.service');
    expect(events[0]!.lines).toContain('Job for k3s.service failed because the control process exited with error code.');
    expect(events[0]!.lines[0]).toBe(`k3s.service: ${fatal}`);
  });

  it('a fatal line with no unit failure after it still ends the node (the tool hung after it)', async () => {
    const stream = lines('k3s-install-pr13712.jsonl').slice(0, 5);
    const out: TerminalEvent[] = [];
    const v = new JournalVerdicts('node-1', flowUnits([]), (e) => out.push(e));
    for (const l of stream) v.feed(parseJournalLine(l)!, 2);
    await new Promise((r) => setTimeout(r, 3_000 + settleMs + 200));
    v.stop();
    expect(out.map((e) => e.reason)).toEqual(['printed its fatal line']);
  }, 10_000);

  it('a restarting unit is terminal only after the same fatal line ends several starts in a row', async () => {
    const all = lines('k3s-crash-loop.jsonl');
    // Each start is five entries after the first "Starting" line.
    const starts = (n: number) => all.slice(0, 1 + 5 * n);
    expect(await verdictsOf(starts(crashLoopStarts - 1))).toEqual([]);
    const events = await verdictsOf(starts(crashLoopStarts));
    expect(events).toHaveLength(1);
    expect(events[0]!.unit).toBe('k3s.service');
    expect(events[0]!.reason).toMatch(/keeps failing: 5 starts in a row/);
    expect(events[0]!.lines[0]).toContain('level=fatal msg="apiserver exited: unable to find suitable network address"');
  });

  it('a restarting unit that started fine in between is not in a crash loop', async () => {
    const all = lines('k3s-crash-loop.jsonl');
    const started = JSON.stringify({ MESSAGE: 'Started k3s.service - Lightweight Kubernetes.', UNIT: 'k3s.service', SYSLOG_IDENTIFIER: 'systemd', _PID: '1' });
    const stream = [...all.slice(0, 1 + 5 * 3), started, ...all.slice(1 + 5 * 3, 1 + 5 * 5)];
    expect(await verdictsOf(stream)).toEqual([]);
  });

  it("an agent refused for its node password ends the node after three tries, quoting k3s's line", async () => {
    const refused = (i: number) =>
      JSON.stringify({ MESSAGE: `time="2026-12-02T05:0${i}:00Z" level=info msg="Waiting to retrieve agent configuration; server is not ready: Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag"`, _SYSTEMD_UNIT: 'k3s-agent.service', _PID: '900', PRIORITY: '6' });
    expect(await verdictsOf([refused(1), refused(2)])).toEqual([]);
    const events = await verdictsOf([refused(1), refused(2), refused(3), refused(4)]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ unit: 'k3s-agent.service', boot: 2 });
    expect(events[0]!.reason).toMatch(/^retries for ever \(3× so far\): .*kubectl delete node/);
    expect(events[0]!.lines[0]).toContain('Node password rejected, duplicate hostname');
    // Outside the flow's units the same line ends nothing.
    const elsewhere = JSON.parse(refused(1)) as Record<string, string>;
    elsewhere._SYSTEMD_UNIT = 'other.service';
    expect(await verdictsOf([1, 2, 3].map(() => JSON.stringify(elsewhere)))).toEqual([]);
  });

  it("without a fatal line the failing command's own message, the unit's last line, leads the cause", async () => {
    const out = (m: string) => JSON.stringify({ MESSAGE: m, _SYSTEMD_UNIT: 'k3s-install.service', _PID: '700', PRIORITY: '6' });
    const events = await verdictsOf([
      out('[INFO]  Downloading hash http://10.0.0.5:8080/k3s/sha256sum-amd64.txt'),
      out('[INFO]  Downloading binary http://10.0.0.5:8080/k3s/k3s'),
      out("mv: cannot move '/tmp/k3s.bin' to '/usr/local/bin/k3s': Read-only file system"),
      JSON.stringify({ MESSAGE: "k3s-install.service: Failed with result 'exit-code'.", UNIT: 'k3s-install.service', SYSLOG_IDENTIFIER: 'systemd', _PID: '1' }),
    ]);
    expect(events).toHaveLength(1);
    expect(headline(events[0]!)).toBe("node-1 boot 2: k3s-install.service failed: mv: cannot move '/tmp/k3s.bin' to '/usr/local/bin/k3s': Read-only file system");
    expect(events[0]!.lines.slice(1, 3)).toEqual(['[INFO]  Downloading hash http://10.0.0.5:8080/k3s/sha256sum-amd64.txt', '[INFO]  Downloading binary http://10.0.0.5:8080/k3s/k3s']);
  });

  it('a start limit hit is terminal even for a unit systemd restarts', async () => {
    const hit = JSON.stringify({ MESSAGE: 'k3s.service: Start request repeated too quickly.', UNIT: 'k3s.service', SYSLOG_IDENTIFIER: 'systemd', _PID: '1' });
    const events = await verdictsOf([hit]);
    expect(events.map((e) => `${e.unit} ${e.reason}`)).toEqual(['k3s.service hit its start limit']);
  });

  it("units outside the flow never end a node; a template's unit with Restart= is judged as restarting", async () => {
    const fail = (unit: string) => JSON.stringify({ MESSAGE: `${unit}: Failed with result 'exit-code'.`, UNIT: unit, SYSLOG_IDENTIFIER: 'systemd', _PID: '1' });
    expect(await verdictsOf([fail('lab-journal-serial.service'), fail('systemd-pstore.service')])).toEqual([]);
    const units = flowUnits([{ name: 'k3s-install.service', contents: '[Service]\nType=simple\nRestart=on-failure\n' }, { name: 'my-setup.service', contents: '[Service]\nType=oneshot\n' }]);
    expect(await verdictsOf([fail('k3s-install.service')], units)).toEqual([]);
    expect((await verdictsOf([fail('my-setup.service')], units)).map((e) => e.unit)).toEqual(['my-setup.service']);
  });

  it('an Ignition unit failing in the initramfs is terminal', async () => {
    const quote = JSON.stringify({ MESSAGE: 'CRITICAL : Ignition failed: failed to fetch config: resource not found', _SYSTEMD_UNIT: 'ignition-fetch.service', SYSLOG_IDENTIFIER: 'ignition', _PID: '300' });
    const fail = JSON.stringify({ MESSAGE: "ignition-fetch.service: Failed with result 'exit-code'.", UNIT: 'ignition-fetch.service', SYSLOG_IDENTIFIER: 'systemd', _PID: '1' });
    const events = await verdictsOf([quote, fail], flowUnits([]), 1);
    expect(events[0]).toMatchObject({ unit: 'ignition-fetch.service', boot: 1, lines: ['CRITICAL : Ignition failed: failed to fetch config: resource not found'] });
  });
});
