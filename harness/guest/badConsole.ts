/**
 * Console lines that mean a node is broken beyond waiting for (the idea of kola's console checks):
 * when one appears, that node fails at once and the failure quotes the lines, instead of a
 * timeout many minutes later. Soft lockups and RCU stalls are deliberately absent: under TCG
 * with several VMs they are normal and the guest recovers.
 */
export interface BadConsolePattern {
  name: string;
  pattern: RegExp;
}

export const badConsolePatterns: readonly BadConsolePattern[] = [
  { name: 'kernel panic', pattern: /Kernel panic - not syncing/ },
  { name: 'kernel oops', pattern: /\bOops(: |\s*\[#\d+\])|BUG: (unable to handle|kernel NULL pointer)|kernel BUG at / },
  { name: 'emergency shell', pattern: /You are in emergency mode|Entering emergency mode|Dropping to debug shell|Reached target [^\n]*Emergency Mode/ },
  { name: 'Ignition failed', pattern: /Ignition failed|Ignition has failed|Failed to start [^\n]*[Ii]gnition|ignition-[a-z-]+\.service: Failed with result/ },
];

export function matchBadConsole(line: string): BadConsolePattern | undefined {
  return badConsolePatterns.find((p) => p.pattern.test(line));
}
