/**
 * The fatal lines of the tools the flow runs, as they print them. These are what a cause quotes:
 * the tool's own words, not systemd's summary.
 */
export interface ToolFatal {
  tool: string;
  pattern: RegExp;
}

export const toolFatals: readonly ToolFatal[] = [
  // install.sh: fatal() { echo '[ERROR] ' "$@" >&2; exit 1; } — every abort starts so.
  { tool: 'install.sh', pattern: /^\[ERROR\]/ },
  // k3s logs with logrus; its top level ends a failed start with a fatal-level line and exit 1.
  { tool: 'k3s', pattern: /\blevel=fatal\b/ },
  // The lab OS's flatcar-install prefixes its errors with its name (its die()); a real
  // flatcar-install's wording is not matched here, so its cause quotes the unit's last lines.
  { tool: 'flatcar-install', pattern: /^flatcar-install: (?!warning)/ },
  // Ignition logs "CRITICAL : Ignition failed: …" at its end.
  { tool: 'ignition', pattern: /CRITICAL\s*:|Ignition failed/ },
];

export function matchToolFatal(message: string): ToolFatal | undefined {
  return toolFatals.find((t) => t.pattern.test(message));
}

/** A k3s fatal line without its timestamp, so two starts that died the same way compare equal. */
export function fatalKey(message: string): string {
  return message.replace(/^time="[^"]*"\s*/, '').trim();
}

/**
 * A line a unit prints each time it retries something that cannot succeed by itself: the tool
 * waits for ever (no exit, no unit failure), so the node ends once it said so `repeats` times.
 */
export interface StuckRetry {
  tool: string;
  pattern: RegExp;
  repeats: number;
  /** What would end the wait, for the person reading the cause. */
  why: string;
}

export const stuckRetries: readonly StuckRetry[] = [
  // A k3s agent whose node password the cluster refuses retries every few seconds for ever
  // ("Waiting to retrieve agent configuration; server is not ready: Node password rejected, …",
  // k3s #6054; k3s docs "Node password": the cluster keeps each node name's password).
  { tool: 'k3s', pattern: /Node password rejected/, repeats: 3, why: "the cluster keeps this node name's old password until the node is deleted from it (kubectl delete node)" },
];

export function matchStuckRetry(message: string): StuckRetry | undefined {
  return stuckRetries.find((r) => r.pattern.test(message));
}
