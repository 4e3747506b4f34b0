import { execa } from 'execa';

export type Progress = (line: string) => void;

/**
 * Runs one build stage (a script of the recipe) and turns its output into progress lines:
 * every "==> step" line, mmdebstrap's "I: …" lines, and a heartbeat while a step is quiet.
 * On failure the error carries the stage name and the last lines of its output.
 */
export async function runStage(
  name: string,
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; onProgress?: Progress; heartbeatMs?: number },
): Promise<number> {
  const started = Date.now();
  const secs = (): string => `${Math.round((Date.now() - started) / 1000)}s`;
  const report = opts.onProgress ?? (() => {});
  const tail: string[] = [];
  let current = 'starting';
  let lastReport = Date.now();

  const child = execa(cmd, args, { env: opts.env, all: true, reject: false, buffer: false, stdin: 'ignore' });
  const heartbeat = setInterval(() => {
    if (Date.now() - lastReport >= (opts.heartbeatMs ?? 15_000)) {
      report(`${name}: still ${current} (${secs()})`);
      lastReport = Date.now();
    }
  }, 1000);
  try {
    let pending = '';
    for await (const chunk of child.all!) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 25) tail.shift();
        const step = /^==> (.*)$/.exec(line)?.[1] ?? /^I: (.*)$/.exec(line)?.[1];
        if (step) {
          current = step.replace(/\.\.\.$/, '');
          report(`${name}: ${step} (${secs()})`);
          lastReport = Date.now();
        }
      }
    }
    const result = await child;
    if (result.exitCode !== 0) {
      const why = result.signal ? `killed by ${result.signal}` : `exit ${result.exitCode}`;
      // The CLI prints one line per error; the output that explains it goes to the progress stream.
      for (const line of tail.slice(-15)) report(`${name}: | ${line}`);
      throw new Error(`lab OS build stage '${name}' failed (${why}) during '${current}'; last output:\n${tail.join('\n')}`);
    }
  } finally {
    clearInterval(heartbeat);
  }
  return (Date.now() - started) / 1000;
}
