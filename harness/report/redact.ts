import { gunzipSync } from 'node:zlib';

export const redacted = '<redacted>';

/**
 * Every way a secret's bytes can appear in what the harness writes: as is, percent-encoded
 * (Ignition data URLs), and base64 (Ignition `data:;base64,` contents) at each of the three
 * byte alignments, since the secret sits somewhere inside a larger encoded file.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), escape(secret)]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // Encode with `offset` filler bytes in front; keep only the base64 characters that depend on
    // the secret's bytes alone (drop the first partial group and the trailing partial group).
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const b64 = padded.toString('base64');
    const start = offset === 0 ? 0 : 4;
    const fullGroups = Math.floor(padded.length / 3);
    const core = b64.slice(start, fullGroups * 4);
    if (core.length >= 8) forms.add(core);
  }
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/** Token-like values recognisable without knowing them: env assignments, flags, node-token files. */
const tokenPatterns: RegExp[] = [
  /(\b(?:K3S_TOKEN|K3S_AGENT_TOKEN|K3STOKEN)\s*[=:]\s*"?)([^\s"'\\&]+)/g,
  /((?:K3S_TOKEN|K3S_AGENT_TOKEN|K3STOKEN)%3D)([^\s"'&%]+)/g,
  /(--(?:agent-)?token(?:=|\s+))([^\s"'\\-][^\s"'\\]*)/g,
  /(K10[0-9a-f]{64}::(?:server|node):)([^\s"'\\]+)/g,
  /("(?:token|K3S_TOKEN)"\s*:\s*")([^"]+)/g,
];

/** Replaces every known secret (in any encoding) and every recognisable token with <redacted>. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of secretForms(secret)) out = out.split(form).join(redacted);
  }
  for (const pattern of tokenPatterns) out = out.replace(pattern, (_m, head: string) => `${head}${redacted}`);
  return out;
}

interface IgnitionFileLike {
  contents?: { source?: string; compression?: string };
  append?: { source?: string; compression?: string }[];
}

/** The text inside an Ignition data URL, or undefined for a remote source or undecodable data. */
export function decodeDataUrl(source: string, compression?: string): string | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(source);
  if (!m) return undefined;
  const meta = m[1]!;
  const body = m[2]!;
  let bytes: Buffer;
  try {
    bytes = meta.endsWith(';base64') ? Buffer.from(body, 'base64') : Buffer.from(decodeURIComponent(body), 'utf8');
    if (compression === 'gzip') bytes = gunzipSync(bytes);
  } catch {
    return undefined;
  }
  return bytes.toString('utf8');
}

function redactSource(entry: { source?: string; compression?: string }, secrets: readonly string[]): void {
  if (!entry.source) return;
  const text = decodeDataUrl(entry.source, entry.compression);
  if (text === undefined) {
    entry.source = redactText(entry.source, secrets);
    return;
  }
  const clean = redactText(text, secrets);
  if (clean !== text || entry.compression) {
    // Written back readable: the report shows the file as the node received it, minus the secret.
    entry.source = `data:,${encodeURIComponent(clean)}`;
    delete entry.compression;
  }
}

/**
 * An Ignition config for the report: file contents are decoded (data URLs, base64, gzip),
 * redacted and written back as plain data URLs; units and drop-ins are redacted as text;
 * then the whole JSON gets the text pass as well, as a last net.
 */
export function redactIgnition(json: string, secrets: readonly string[] = []): string {
  let config: { storage?: { files?: IgnitionFileLike[] }; systemd?: { units?: { contents?: string; dropins?: { contents?: string }[] }[] } };
  try {
    config = JSON.parse(json) as typeof config;
  } catch {
    return redactText(json, secrets);
  }
  for (const file of config.storage?.files ?? []) {
    if (file.contents) redactSource(file.contents, secrets);
    for (const a of file.append ?? []) redactSource(a, secrets);
  }
  for (const unit of config.systemd?.units ?? []) {
    if (unit.contents) unit.contents = redactText(unit.contents, secrets);
    for (const d of unit.dropins ?? []) if (d.contents) d.contents = redactText(d.contents, secrets);
  }
  return redactText(JSON.stringify(config, null, 2), secrets);
}

/** True when none of the secrets appears in any of its encodings (for tests and a final check). */
export function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some((s) => s && secretForms(s).some((f) => text.includes(f)));
}

/**
 * Token values written in configs, found by their shape (K3S_TOKEN=…, K3STOKEN=…, --token …):
 * a scenario like seed-literal hard-codes its own, which must then be redacted everywhere,
 * including console logs where they appear in other encodings.
 */
export function findTokens(text: string): string[] {
  const found = new Set<string>();
  for (const pattern of tokenPatterns) {
    for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
      const value = m[2];
      if (value && value !== redacted && value.length >= 4) found.add(value);
    }
  }
  return [...found];
}

/** findTokens over an Ignition config's decoded file contents and units. */
export function findIgnitionTokens(json: string): string[] {
  const texts = [json];
  try {
    const config = JSON.parse(json) as { storage?: { files?: IgnitionFileLike[] }; systemd?: { units?: { contents?: string; dropins?: { contents?: string }[] }[] } };
    for (const f of config.storage?.files ?? []) {
      const t = f.contents?.source ? decodeDataUrl(f.contents.source, f.contents.compression) : undefined;
      if (t) texts.push(t);
    }
    for (const u of config.systemd?.units ?? []) {
      if (u.contents) texts.push(u.contents);
      for (const d of u.dropins ?? []) if (d.contents) texts.push(d.contents);
    }
  } catch {
    // Not JSON: the raw text was searched already.
  }
  return [...new Set(texts.flatMap(findTokens))];
}
