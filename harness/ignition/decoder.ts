/**
 * Typed reads from the located YAML tree. Every read records errors with the YAML path and
 * line:column instead of throwing, so one run reports every mistake in a config.
 */
import type { Diagnostic, Location } from './diagnostics.ts';
import { nearest } from './nearest.ts';
import type { YNode, YScalar } from './yamlTree.ts';

export interface Located<T> {
  value: T;
  loc: Location;
}

const kindName: Record<YNode['kind'], string> = { scalar: 'a scalar', map: 'a mapping', seq: 'a list', null: 'null' };

/** Integers as go-yaml reads them: decimal, `0755` (YAML 1.1 octal), `0o755`, `0x1ed`; underscores allowed. */
export function parseYamlInt(raw: string): number | undefined {
  const m = /^([-+]?)(0o[0-7_]+|0x[0-9a-fA-F_]+|0[0-7_]+|0|[1-9][0-9_]*)$/.exec(raw.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2]!.replaceAll('_', '');
  let value: number;
  if (body.startsWith('0o')) value = parseInt(body.slice(2), 8);
  else if (body.startsWith('0x')) value = parseInt(body.slice(2), 16);
  else if (body.length > 1 && body.startsWith('0')) value = parseInt(body.slice(1), 8);
  else value = parseInt(body, 10);
  return Number.isSafeInteger(value) ? sign * value : undefined;
}

const trueWords = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const falseWords = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

export class Decoder {
  readonly diagnostics: Diagnostic[] = [];

  error(loc: Location, message: string): void {
    this.diagnostics.push({ severity: 'error', loc, message });
  }

  warn(loc: Location, message: string): void {
    this.diagnostics.push({ severity: 'warning', loc, message });
  }

  get ok(): boolean {
    return !this.diagnostics.some((d) => d.severity === 'error');
  }

  private wrongType(node: YNode, expected: string): undefined {
    const got = node.kind === 'scalar' ? `'${node.text.split('\n')[0]}'` : kindName[node.kind];
    this.error(node.loc, `expected ${expected}, got ${got}`);
    return undefined;
  }

  /** A mapping whose keys must come from `known`; unknown keys are errors with a "did you mean". */
  map(node: YNode, known: readonly string[], children: Readonly<Record<string, readonly string[]>> = {}): Map<string, YNode> | undefined {
    if (node.kind === 'null') return new Map();
    if (node.kind !== 'map') return this.wrongType(node, 'a mapping');
    const out = new Map<string, YNode>();
    const emptySections = node.entries.filter((e) => e.value.kind === 'null').map((e) => e.key);
    for (const entry of node.entries) {
      if (!known.includes(entry.key)) {
        // `storage:` followed by an unindented `files:` is the classic lost-indentation mistake.
        const owner = emptySections.find((sec) => children[sec]?.includes(entry.key));
        const hint = nearest(entry.key, known);
        const why = owner ? ` ('${entry.key}' belongs under '${owner}', which is empty here: indent it)` : hint ? ` (did you mean '${hint}'?)` : '';
        this.error(entry.keyLoc, `unknown key '${entry.key}'${why}`);
        continue;
      }
      out.set(entry.key, entry.value);
    }
    return out;
  }

  list(node: YNode | undefined): YNode[] {
    if (!node || node.kind === 'null') return [];
    if (node.kind !== 'seq') {
      this.wrongType(node, 'a list');
      return [];
    }
    return node.items;
  }

  scalar(node: YNode | undefined, expected: string): YScalar | undefined {
    if (!node || node.kind === 'null') return undefined;
    if (node.kind !== 'scalar') return this.wrongType(node, expected);
    return node;
  }

  str(node: YNode | undefined): Located<string> | undefined {
    const s = this.scalar(node, 'a string');
    return s && { value: s.text, loc: s.loc };
  }

  /** Like str, but for text blocks (unit contents): also says on which source line the text starts. */
  text(node: YNode | undefined): (Located<string> & { firstLine: number; exactLines: boolean }) | undefined {
    const s = this.scalar(node, 'a string');
    return s && { value: s.text, loc: s.loc, firstLine: s.firstContentLine, exactLines: s.style === 'literal' };
  }

  int(node: YNode | undefined): (Located<number> & { raw: string }) | undefined {
    const s = this.scalar(node, 'an integer');
    if (!s) return undefined;
    const value = s.style === 'plain' ? parseYamlInt(s.raw) : undefined;
    if (value === undefined) return this.wrongType(s, 'an integer');
    return { value, loc: s.loc, raw: s.raw };
  }

  bool(node: YNode | undefined): Located<boolean> | undefined {
    const s = this.scalar(node, 'a boolean');
    if (!s) return undefined;
    if (s.style === 'plain' && trueWords.has(s.raw)) return { value: true, loc: s.loc };
    if (s.style === 'plain' && falseWords.has(s.raw)) return { value: false, loc: s.loc };
    return this.wrongType(s, 'a boolean (true or false)');
  }

  strings(node: YNode | undefined): Located<string>[] {
    return this.list(node)
      .map((item) => this.str(item))
      .filter((x): x is Located<string> => x !== undefined);
  }

  required<T>(value: T | undefined, parent: YNode, key: string): T | undefined {
    if (value === undefined) this.error(parent.loc, `missing required key '${key}'`);
    return value;
  }
}
