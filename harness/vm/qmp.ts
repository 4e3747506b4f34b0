import { connect, type Socket } from 'node:net';

/**
 * One QMP command on QEMU's control socket (`-qmp unix:PATH,server=on,wait=off`): connect, read
 * the greeting, leave capabilities negotiation, run the command, hang up. One connection per
 * command because QEMU's QMP server takes one client at a time and a machine's QEMU is replaced
 * at every boot (-no-reboot), socket and all.
 *
 * Resolves with the command's `return` value; rejects with QEMU's error class and description, or
 * with what was awaited when the socket is missing, refuses, closes early or stays silent.
 */
export function qmpExecute(socketPath: string, command: string, args?: Record<string, unknown>, timeoutMs = 5_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect(socketPath);
    let buffered = '';
    let stage: 'greeting' | 'capabilities' | 'command' | 'done' = 'greeting';
    const finish = (err: Error | undefined, value?: unknown) => {
      if (stage === 'done') return;
      stage = 'done';
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`QMP ${command} on ${socketPath}: no answer within ${timeoutMs} ms (waiting for the ${stage})`)), timeoutMs);
    const send = (execute: string, id: string, arguments_?: Record<string, unknown>) =>
      sock.write(JSON.stringify({ execute, ...(arguments_ ? { arguments: arguments_ } : {}), id }) + '\n');

    sock.setEncoding('utf8');
    sock.on('error', (err) => finish(new Error(`QMP ${command} on ${socketPath}: ${err.message}`)));
    sock.on('close', () => finish(new Error(`QMP ${command} on ${socketPath}: QEMU closed the connection before answering (waiting for the ${stage})`)));
    sock.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        let msg: { QMP?: unknown; return?: unknown; error?: { class?: string; desc?: string }; id?: string; event?: string };
        try {
          msg = JSON.parse(line);
        } catch {
          finish(new Error(`QMP ${command} on ${socketPath}: not JSON: ${line.slice(0, 120)}`));
          return;
        }
        if (msg.event) continue;
        if (stage === 'greeting' && msg.QMP) {
          stage = 'capabilities';
          send('qmp_capabilities', 'capabilities');
        } else if (msg.error) {
          finish(new Error(`QMP ${msg.id === 'capabilities' ? 'qmp_capabilities' : command}: ${msg.error.class ?? 'Error'}: ${msg.error.desc ?? '(no description)'}`));
        } else if (stage === 'capabilities' && msg.id === 'capabilities') {
          stage = 'command';
          send(command, 'command', args);
        } else if (stage === 'command' && msg.id === 'command') {
          finish(undefined, msg.return);
        }
      }
    });
  });
}
