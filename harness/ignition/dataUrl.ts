/** Inline contents as an RFC 2397 `data:` URL, the way Ignition 3 carries them (percent-encoded, no base64). */
export function dataUrl(text: string): string {
  // encodeURIComponent leaves a few marks that are fine in a data URL; spaces and newlines get escaped.
  return `data:,${encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The text behind a `data:` URL (both `,text` and `;base64,` forms), or undefined for other URLs. */
export function decodeDataUrl(url: string): string | undefined {
  const m = /^data:([^,]*),(.*)$/s.exec(url);
  if (!m) return undefined;
  return m[1]!.endsWith(';base64') ? Buffer.from(m[2]!, 'base64').toString('utf8') : decodeURIComponent(m[2]!);
}
