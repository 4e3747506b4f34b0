/** k3s tokens: a bare secret, or `K10<sha256 of the cluster CA>::<user>:<secret>` which also pins the CA. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fatal } from './log.ts';

export interface ParsedToken {
  secret: string;
  caHash?: string;
}

export function parseToken(raw: string): ParsedToken {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(raw.trim());
  if (m) return { caHash: m[1], secret: m[2]! };
  return { secret: raw.trim() };
}

export function formatNodeToken(caHashHex: string, secret: string): string {
  return `K10${caHashHex}::server:${secret}`;
}

export function newSecret(): string {
  return randomBytes(16).toString('hex');
}

/** --token wins over --token-file (both may also come from K3S_TOKEN / K3S_TOKEN_FILE). */
export function tokenFrom(token: string | undefined, tokenFile: string | undefined): string | undefined {
  if (token) return token;
  if (tokenFile) {
    if (!existsSync(tokenFile)) fatal(`token file ${tokenFile} does not exist`);
    const t = readFileSync(tokenFile, 'utf8').trim();
    if (!t) fatal(`token file ${tokenFile} is empty`);
    return t;
  }
  return undefined;
}
