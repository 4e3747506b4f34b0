/** Lint findings and the two kinds of rules: per config, and across the configs of one cluster. */
import type { Stage } from '../../scenario/model.ts';
import type { NodeSpec, Topology } from '../../scenario/topology.ts';
import type { Severity } from '../diagnostics.ts';
import type { SourceConfig } from '../sourceModel.ts';

export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  message: string;
  fix: string;
}

/** One config to lint: its located model, its text (for lint-allow comments) and, in a scenario, its node. */
export interface LintTarget {
  file: string;
  text: string;
  source: SourceConfig;
  node?: NodeSpec;
  stage?: Stage;
}

export interface LintContext {
  targets: LintTarget[];
  /** Known when linting a scenario: lets rules check --server URLs against real servers. */
  topology?: Topology;
}

export interface ConfigRule {
  name: string;
  description: string;
  check(target: LintTarget, ctx: LintContext): Finding[];
}

export interface ClusterRule {
  name: string;
  description: string;
  check(ctx: LintContext): Finding[];
}
