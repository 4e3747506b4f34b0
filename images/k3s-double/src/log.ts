/** Log lines in k3s's logrus text format, on stderr (the journal keeps them under k3s.service). */
type Level = 'debug' | 'info' | 'warning' | 'error' | 'fatal';

let redactions: string[] = [];

/** Every secret given here is replaced by ******** in any later line, whatever formats it. */
export function redact(secret: string | undefined): void {
  if (secret && secret.length >= 4 && !redactions.includes(secret)) redactions.push(secret);
}

export function scrub(text: string): string {
  let out = text;
  for (const s of redactions) out = out.split(s).join('********');
  return out;
}

export function log(level: Level, msg: string): void {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  process.stderr.write(`time="${time}" level=${level} msg=${JSON.stringify(scrub(msg))}\n`);
}

export class FatalError extends Error {}

/** k3s ends with a fatal line and exit 1; the caller's top level prints it. */
export function fatal(msg: string): never {
  throw new FatalError(msg);
}

export function resetRedactionsForTest(): void {
  redactions = [];
}
