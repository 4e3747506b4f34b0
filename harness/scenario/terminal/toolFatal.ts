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
