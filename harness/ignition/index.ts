/**
 * The Ignition toolchain's public surface, for the runner and reports (issue 6):
 * render a scenario's run directory, transpile one config, validate, lint.
 */
export { renderRun, renderNodes, labOsUrls, manifestName, type RenderOptions, type RenderedRun, type RenderedNode, type RenderedStage } from './renderRun.ts';
export { transpile, readConfig, ignitionJson, type Transpiled, type TranspileOptions } from './transpile.ts';
export { validateIgnition, type ValidationResult } from './validate.ts';
export { ConfigError, formatDiagnostic, type Diagnostic, type Location } from './diagnostics.ts';
export { lint, formatFinding, type LintResult } from './lint/lint.ts';
export { fileTargets, scenarioTargets } from './lint/targets.ts';
export type { Finding } from './lint/types.ts';
export type { IgnitionConfig } from './ignitionTypes.ts';
export { urlRewrites, type OverlayOptions, type UrlRewrite } from './overlay.ts';
