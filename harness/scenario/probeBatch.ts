import type { CommandResult } from '../guest/ssh.ts';

/**
 * Several commands in one SSH session: under TCG each SSH handshake costs the guest seconds of
 * CPU, so the end-of-run probes go as one script. Each command's stdout, stderr and exit status
 * come back base64-encoded between markers, so any output (binary, markers) survives intact.
 */
export function batchScript(commands: Record<string, string>): string {
  const parts = ['d=$(mktemp -d)'];
  for (const [name, command] of Object.entries(commands)) {
    parts.push(
      `printf '@@probe %s\\n' '${name.replace(/[^A-Za-z0-9_.-]/g, '')}'`,
      `(${command}) >"$d/o" 2>"$d/e"; echo "code=$?"`,
      'base64 -w0 "$d/o"; echo',
      'base64 -w0 "$d/e"; echo',
    );
  }
  parts.push('rm -rf "$d"');
  return parts.join('\n');
}

/** The results by name from a batch script's output; a command whose section is missing is absent. */
export function parseBatch(stdout: string): Record<string, CommandResult> {
  const out: Record<string, CommandResult> = {};
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@probe (\S+)$/.exec(lines[i]!);
    if (!m) continue;
    const code = /^code=(\d+)$/.exec(lines[i + 1] ?? '');
    if (!code || lines[i + 2] === undefined || lines[i + 3] === undefined) continue;
    out[m[1]!] = {
      code: Number(code[1]),
      stdout: Buffer.from(lines[i + 2]!, 'base64').toString('utf8'),
      stderr: Buffer.from(lines[i + 3]!, 'base64').toString('utf8'),
    };
    i += 3;
  }
  return out;
}
