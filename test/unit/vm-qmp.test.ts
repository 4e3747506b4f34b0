import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qmpExecute } from '../../harness/vm/qmp.ts';

const dir = mkdtempSync(join(tmpdir(), 'fkl-qmp-'));
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A QMP server that speaks the protocol as QEMU does; `onCommand` answers the one command. */
function fakeQemu(name: string, opts: { greet?: boolean; onCommand?: (cmd: { execute: string; arguments?: unknown; id?: string }, sock: Socket) => void } = {}): string {
  const path = join(dir, name);
  const server = createServer((sock) => {
    if (opts.greet !== false) sock.write(JSON.stringify({ QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 } }, capabilities: ['oob'] } }) + '\r\n');
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const cmd = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (cmd.execute === 'qmp_capabilities') sock.write(JSON.stringify({ return: {}, id: cmd.id }) + '\r\n');
        else opts.onCommand?.(cmd, sock);
      }
    });
  });
  server.listen(path);
  servers.push(server);
  return path;
}

describe('qmpExecute', () => {
  it('negotiates capabilities, skips events, and resolves with the command’s return value', async () => {
    let seen: unknown;
    const path = fakeQemu('ok.sock', {
      onCommand: (cmd, sock) => {
        seen = cmd;
        sock.write(JSON.stringify({ event: 'RESET', data: { guest: false }, timestamp: { seconds: 1, microseconds: 0 } }) + '\r\n');
        // Split across writes, as a socket may deliver it.
        const reply = JSON.stringify({ return: { status: 'running', running: true }, id: cmd.id }) + '\r\n';
        sock.write(reply.slice(0, 10));
        setTimeout(() => sock.write(reply.slice(10)), 20);
      },
    });
    await expect(qmpExecute(path, 'query-status', { verbose: true })).resolves.toEqual({ status: 'running', running: true });
    expect(seen).toMatchObject({ execute: 'query-status', arguments: { verbose: true } });
  });

  it('rejects with QEMU’s error class and description', async () => {
    const path = fakeQemu('err.sock', { onCommand: (cmd, sock) => sock.write(JSON.stringify({ error: { class: 'CommandNotFound', desc: "The command frobnicate has not been found" }, id: cmd.id }) + '\r\n') });
    await expect(qmpExecute(path, 'frobnicate')).rejects.toThrow('QMP frobnicate: CommandNotFound: The command frobnicate has not been found');
  });

  it('says what it was waiting for when QEMU stays silent or hangs up', async () => {
    const silent = fakeQemu('silent.sock', { greet: false });
    await expect(qmpExecute(silent, 'quit', undefined, 200)).rejects.toThrow(/QMP quit on .*silent\.sock: no answer within 200 ms \(waiting for the greeting\)/);
    const hangup = fakeQemu('hangup.sock', { onCommand: (_cmd, sock) => sock.destroy() });
    await expect(qmpExecute(hangup, 'system_reset')).rejects.toThrow('QEMU closed the connection before answering (waiting for the command)');
  });

  it('names the socket when there is no QEMU behind it', async () => {
    await expect(qmpExecute(join(dir, 'absent.sock'), 'quit')).rejects.toThrow(/QMP quit on .*absent\.sock: connect ENOENT/);
  });
});
