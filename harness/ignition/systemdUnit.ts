/** Just enough of systemd's unit file syntax to read what these bootstraps set: sections, keys, Environment=. */

export interface UnitEntry {
  section: string;
  key: string;
  value: string;
  /** 0-based line index within the unit text. */
  line: number;
}

export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    // A trailing backslash continues the value on the next line.
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    const sectionMatch = /^\[([^\]]+)\]$/.exec(line);
    if (sectionMatch) {
      section = sectionMatch[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  return entries;
}

/** Words of a systemd value, honouring "double" and 'single' quotes as systemd does for Environment=. */
export function splitQuoted(value: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < value.length) current += value[++i];
      else if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

export interface EnvAssignment {
  name: string;
  value: string;
  line: number;
}

/** Every VAR=value set by Environment= lines in [Service]. */
export function unitEnvironment(entries: UnitEntry[]): EnvAssignment[] {
  return entries
    .filter((e) => e.section === 'Service' && e.key === 'Environment')
    .flatMap((e) =>
      splitQuoted(e.value).flatMap((word) => {
        const eq = word.indexOf('=');
        return eq > 0 ? [{ name: word.slice(0, eq), value: word.slice(eq + 1), line: e.line }] : [];
      }),
    );
}

export function unitValues(entries: UnitEntry[], section: string, key: string): UnitEntry[] {
  return entries.filter((e) => e.section === section && e.key === key);
}
