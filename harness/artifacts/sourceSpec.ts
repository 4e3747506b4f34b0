/**
 * Artifact sources as a user writes them on the command line or in a scenario:
 *   k3s:        "double" | "v1.32.4+k3s1" (a GitHub release) | a path to a binary
 *   install.sh: "fixture" | "fixture:pr13712" (the fixture in a mode) | "v1.32.4+k3s1" or a commit (k3s-io/k3s at that ref) | http(s) URL | a path
 * A word that is neither a keyword, a version nor an existing-looking path is an error, not a guess.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { fixtureModes, type FixtureMode, type InstallShSource } from './installSh.ts';
import type { K3sSource } from './k3s.ts';

const RELEASE = /^v\d+\.\d+\.\d+(-rc\d+)?\+k3s\d+$/;
const COMMIT = /^[0-9a-f]{7,40}$/;
const looksLikePath = (s: string) => s.includes('/') || s.endsWith('.sh') || existsSync(s);

export function parseK3sSource(text: string): K3sSource {
  const t = text.trim();
  if (t === 'double') return { kind: 'double' };
  if (RELEASE.test(t)) return { kind: 'release', version: t };
  if (looksLikePath(t)) return { kind: 'file', path: t };
  throw new UsageError(`k3s source "${text}": want "double", a release like v1.32.4+k3s1, or a path to a k3s binary`);
}

export function parseInstallShSource(text: string): InstallShSource {
  const t = text.trim();
  if (t === 'fixture') return { kind: 'fixture' };
  if (t.startsWith('fixture:')) {
    const mode = t.slice('fixture:'.length);
    if (!(fixtureModes as readonly string[]).includes(mode)) throw new UsageError(`install.sh source "${text}": the fixture has no mode '${mode}' (known: ${fixtureModes.map((m) => `fixture:${m}`).join(', ')})`);
    return { kind: 'fixture', mode: mode as FixtureMode };
  }
  if (/^https?:\/\//.test(t)) return { kind: 'url', url: t };
  if (RELEASE.test(t) || COMMIT.test(t)) return { kind: 'ref', ref: t };
  if (looksLikePath(t)) return { kind: 'file', path: t };
  throw new UsageError(`install.sh source "${text}": want "fixture", "fixture:pr13712", a k3s release tag or commit, an http(s) URL, or a path`);
}
