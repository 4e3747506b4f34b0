import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchBadConsole } from '../../harness/guest/badConsole.ts';
import { NodeConsole } from '../../harness/guest/console.ts';
import { FileFollower, cleanLine } from '../../harness/guest/fileFollower.ts';

const dir = mkdtempSync(join(tmpdir(), 'console-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileFollower', () => {
  it('hands over complete lines once, across appends, a torn line and a recreated file', async () => {
    const file = join(dir, 'f.log');
    const lines: string[] = [];
    const f = new FileFollower(file, (l) => lines.push(l), 50);
    await f.poll(); // file missing: nothing
    writeFileSync(file, 'one\ntw');
    await f.poll();
    expect(lines).toEqual(['one']);
    appendFileSync(file, 'o\r\n\x1b[0;32m  OK  \x1b[0m done\n');
    await f.poll();
    expect(lines).toEqual(['one', 'two', '  OK   done']);
    writeFileSync(file, 'new\n'); // shorter: a new boot's file
    await f.poll();
    expect(lines.at(-1)).toBe('new');
    appendFileSync(file, 'tail without newline');
    await f.stop();
    expect(lines.at(-1)).toBe('tail without newline');
  });
  it('keeps a multi-byte character split across reads whole', async () => {
    const file = join(dir, 'u.log');
    const lines: string[] = [];
    const f = new FileFollower(file, (l) => lines.push(l));
    const bytes = Buffer.from('grüße\n');
    writeFileSync(file, bytes.subarray(0, 4));
    await f.poll();
    appendFileSync(file, bytes.subarray(4));
    await f.poll();
    expect(lines).toEqual(['grüße']);
  });
  it('cleans escape codes', () => {
    expect(cleanLine('\x1b[?25l\x1b[1;31mFAILED\x1b[0m\r')).toBe('FAILED');
  });
});

describe('bad console patterns', () => {
  it.each([
    ['[  5.0] Kernel panic - not syncing: Attempted to kill init!', 'kernel panic'],
    ['[ 12.0] Oops: general protection fault, probably for non-canonical address', 'kernel oops'],
    ['[ 12.0] BUG: kernel NULL pointer dereference, address: 0000000000000000', 'kernel oops'],
    ['You are in emergency mode. After logging in, type "journalctl -xb" to view', 'emergency shell'],
    ['dracut-initqueue[300]: Warning: Dropping to debug shell.', 'emergency shell'],
    ['[FAILED] Failed to start ignition-files.service - Ignition (files).', 'Ignition failed'],
    ['Ignition failed: failed to fetch config', 'Ignition failed'],
  ])('%s → %s', (line, name) => {
    expect(matchBadConsole(line)?.name).toBe(name);
  });
  it.each([
    '[ 40.1] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [systemd:1]',
    '[ 33.0] rcu: INFO: rcu_preempt self-detected stall on CPU',
    '[  OK  ] Finished ignition-files.service - Ignition (files).',
    'ignition[600]: Ignition finished successfully',
  ])('leaves %s alone', (line) => {
    expect(matchBadConsole(line)).toBeUndefined();
  });
});

describe('NodeConsole', () => {
  it('follows boots file by file, keeps the tail, and fails on a bad line quoting what follows', async () => {
    const con = new NodeConsole('node-3');
    const boot1 = join(dir, 'node-3.boot1.log');
    const boot2 = join(dir, 'node-3.boot2.log');
    writeFileSync(boot1, 'pxe 1\npxe 2\n');
    await con.follow(boot1, 1);
    await con.poll();
    writeFileSync(boot2, 'disk 1\n');
    await con.follow(boot2, 2);
    await con.poll();
    expect(con.lines().map((l) => `${l.boot}:${l.text}`)).toEqual(['1:pxe 1', '1:pxe 2', '2:disk 1']);
    expect(con.find(/pxe/, { boot: 2 })).toBeUndefined();
    const failures: string[] = [];
    con.onFailure((f) => failures.push(`${f.reason}|${f.lines.join('/')}`));
    appendFileSync(boot2, 'You are in emergency mode. After logging in...\nGive root password for maintenance\n');
    await con.poll();
    await new Promise((r) => setTimeout(r, 400));
    expect(failures).toEqual(['emergency shell|You are in emergency mode. After logging in.../Give root password for maintenance']);
    expect(con.failure?.boot).toBe(2);
    expect(con.tail(2)).toEqual(['You are in emergency mode. After logging in...', 'Give root password for maintenance']);
    await con.stop();
  });
});
