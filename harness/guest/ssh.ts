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

/**
 * ssh2 (1.17) writes an ed25519 public key that starts with a zero byte one byte short, in the
 * private key file and in the public line alike: 1 key in 256 that neither ssh2 nor sshd accepts,
 * and a run that can never log in. Such a draw is thrown away and the key drawn again.
 */
export function generateRunKey(comment = 'flatcar-k3s-lab run'): RunKey {
  for (let draw = 0; draw < 8; draw++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment });
    if (wellFormedEd25519(pair.private) && wellFormedEd25519(pair.public)) return { privateKey: pair.private, publicKey: pair.public.trim() };
  }
  throw new Error('could not generate a well-formed ed25519 SSH key in 8 draws');
}

/** The key parses and its public blob has the full 32-byte key (string "ssh-ed25519" + string key = 4+11+4+32). */
function wellFormedEd25519(text: string): boolean {
  const parsed = utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return key !== undefined && !(key instanceof Error) && key.getPublicSSH().length === 51;
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
