/**
 * YAML → a small tree whose every node knows its line:column, so errors can point at the source.
 * Scalars are kept as text (failsafe schema) and typed later by the field that reads them: Butane
 * (go-yaml v3) and ct (go-yaml v2) both read `0755` as octal, which YAML 1.2 parsers do not.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { ConfigError, type Location } from './diagnostics.ts';

export type ScalarStyle = 'plain' | 'quoted' | 'literal' | 'folded';

interface Base {
  loc: Location;
}
export interface YScalar extends Base {
  kind: 'scalar';
  text: string;
  style: ScalarStyle;
  /** Source text of the scalar as written (for plain scalars: what decides its type). */
  raw: string;
  /** Line of the first content line for block scalars (`|`), whose lines map 1:1 to source lines. */
  firstContentLine: number;
}
export interface YMap extends Base {
  kind: 'map';
  entries: { key: string; keyLoc: Location; value: YNode }[];
}
export interface YSeq extends Base {
  kind: 'seq';
  items: YNode[];
}
export interface YNull extends Base {
  kind: 'null';
}
export type YNode = YScalar | YMap | YSeq | YNull;

const styleOf: Record<string, ScalarStyle> = {
  PLAIN: 'plain',
  QUOTE_DOUBLE: 'quoted',
  QUOTE_SINGLE: 'quoted',
  BLOCK_LITERAL: 'literal',
  BLOCK_FOLDED: 'folded',
};

export function parseYaml(source: string, file: string): YNode {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, schema: 'failsafe', uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    const message = firstError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError([{ severity: 'error', loc: { file, line: pos.line, col: pos.col, path: '' }, message: `YAML syntax: ${message}` }]);
  }
  const at = (offset: number, path: string): Location => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col, path };
  };
  const convert = (node: YamlNode | null | undefined, path: string, fallbackOffset: number): YNode => {
    if (node === null || node === undefined) return { kind: 'null', loc: at(fallbackOffset, path) };
    const start = node.range?.[0] ?? fallbackOffset;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return convert(target as YamlNode | undefined, path, start);
    }
    if (isMap(node)) {
      const entries: YMap['entries'] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyStart = keyNode?.range?.[0] ?? start;
        const key = isScalar(keyNode) ? String(keyNode.value) : '';
        if (!isScalar(keyNode)) {
          throw new ConfigError([{ severity: 'error', loc: at(keyStart, path), message: 'mapping keys must be plain strings' }]);
        }
        const childPath = `${path}.${key}`;
        const valueFallback = keyNode.range?.[1] ?? keyStart;
        entries.push({ key, keyLoc: at(keyStart, childPath), value: convert(pair.value as YamlNode | null, childPath, valueFallback) });
      }
      return { kind: 'map', loc: at(start, path), entries };
    }
    if (isSeq(node)) {
      return { kind: 'seq', loc: at(start, path), items: node.items.map((item, i) => convert(item as YamlNode | null, `${path}.${i}`, start)) };
    }
    if (isScalar(node)) {
      const style = styleOf[node.type ?? 'PLAIN'] ?? 'plain';
      const raw = source.slice(node.range![0], node.range![1]);
      const text = String(node.value);
      if (style === 'plain' && /^(~|null|Null|NULL|)$/.test(text)) return { kind: 'null', loc: at(start, path) };
      const startLine = at(start, path).line;
      return { kind: 'scalar', loc: at(start, path), text, style, raw, firstContentLine: style === 'literal' || style === 'folded' ? startLine + 1 : startLine };
    }
    throw new ConfigError([{ severity: 'error', loc: at(start, path), message: 'unsupported YAML node' }]);
  };
  return convert(doc.contents as YamlNode | null, '$', 0);
}
