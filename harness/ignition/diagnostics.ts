/** Where something is in a YAML source: file, 1-based line and column, and its YAML path (`$.storage.files.0.mode`). */
export interface Location {
  file: string;
  line: number;
  col: number;
  path: string;
}

export type Severity = 'error' | 'warning';

/** One finding about a config: a transpile error, a Butane-style warning or a lint rule's result. */
export interface Diagnostic {
  severity: Severity;
  loc: Location;
  message: string;
}

export function formatLocation(loc: Location): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/** `stdin:7:13: error at $.storage.files.0.mode: …` — one line, the location first so editors can jump to it. */
export function formatDiagnostic(d: Diagnostic): string {
  const at = d.loc.path ? ` at ${d.loc.path}` : '';
  return `${formatLocation(d.loc)}: ${d.severity}${at}: ${d.message}`;
}

/** Thrown when a config cannot be transpiled; carries every error found, the first one is the headline. */
export class ConfigError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    const sorted = [...diagnostics].sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
    super(sorted.length ? formatDiagnostic(sorted[0]!) : 'invalid config');
    this.diagnostics = sorted;
    this.name = 'ConfigError';
  }
}
