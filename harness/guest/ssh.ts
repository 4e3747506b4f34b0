import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader sees only its default export.
const { Client, utils } = ssh2;

/** The per-run key: the harness adds the public half to the nodes through its Ignition overlay. */
export interface RunKey {
  /** OpenSSH private key text; kept in memory and in the run's temp dir only, never in the report. */
  privateKey: string;
  /** `ssh-ed25519 AAAA… <comment>`, as it goes into passwd.users[].ssh_authorized_keys. */
  publicKey: string;
}

export function generateRunKey(comment = 'flatcar-k3s-lab run'): RunKey {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

export interface SshTarget {
  host: string;
  port?: number;
  /** Flatcar's user; the overlay authorises the run key for it. */
  username?: string;
  privateKey: string;
  /**
   * A ready stream to the node's port 22 when the host cannot route to the lab (it lives in its
   * own network namespace): the lab supplies one, ssh2 speaks over it.
   */
  sock?: () => Promise<Duplex>;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the command died by a signal. */
  code: number | null;
  signal?: string;
}

/** Runs one command on a node and returns its output and exit status (a non-zero exit is not an error). */
export async function sshRun(target: SshTarget, command: string, opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const sock = target.sock ? await target.sock() : undefined;
  return new Promise<CommandResult>((resolve, reject) => {
    const client = new Client();
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`ssh ${target.host}: '${command}' did not finish within ${timeoutMs} ms`)), timeoutMs);
    function finish(err: Error | undefined, result?: CommandResult): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      sock?.destroy();
      if (err) reject(err);
      else resolve(result!);
    }
    client.once('error', (err) => finish(new Error(`ssh ${target.host}: ${err.message}`)));
    client.once('ready', () => {
      client.exec(command, (err, stream) => {
        if (err) return finish(new Error(`ssh ${target.host}: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        let signal: string | undefined;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('exit', (c: number | null, s?: string) => {
          code = c;
          signal = s;
        });
        stream.on('close', () =>
          finish(undefined, {
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
            code,
            ...(signal ? { signal } : {}),
          }),
        );
      });
    });
    client.connect({
      host: target.host,
      port: target.port ?? 22,
      username: target.username ?? 'core',
      privateKey: target.privateKey,
      readyTimeout: Math.min(timeoutMs, 30_000),
      // Every run's nodes are new machines with new host keys on a private network.
      hostVerifier: () => true,
      ...(sock ? { sock } : {}),
    });
  });
}
