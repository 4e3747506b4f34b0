import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { reportHtml } from './html.ts';
import { junitXml } from './junit.ts';
import { redactIgnition, redactText } from './redact.ts';
import type { RunResult } from './result.ts';

/** `20261125-183012-three-node-ha`: sorts by time, names the scenario. */
export function reportDirName(scenario: string, at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${scenario}`;
}

/**
 * One run's report folder. Everything written through it is redacted first: known secrets (the
 * run's K3S_TOKENs, in every encoding) and anything shaped like a token.
 */
export class ReportDir {
  readonly path: string;
  readonly #secrets: string[];

  constructor(path: string, secrets: readonly string[]) {
    this.path = path;
    this.#secrets = [...secrets];
    // Created by the first write: a run stopped before it reports leaves no empty folder.
  }

  addSecret(secret: string): void {
    if (secret && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }

  /** Writes text (redacted) at a path relative to the report; returns that relative path. */
  writeText(rel: string, text: string): string {
    this.#atomicWrite(rel, redactText(text, this.#secrets));
    return rel;
  }

  /** Copies a log the lab wrote, redacted; a log that was never created is noted as such. */
  copyLog(rel: string, source: string): string {
    const text = existsSync(source) ? readFileSync(source, 'utf8') : `(no log: ${source} was never written)\n`;
    return this.writeText(rel, text);
  }

  /** A rendered Ignition config (or pxelinux.cfg), with file contents decoded and redacted. */
  writeConfig(rel: string, text: string): string {
    const clean = rel.endsWith('.ign') || rel.endsWith('.json') ? redactIgnition(text, this.#secrets) : redactText(text, this.#secrets);
    this.#atomicWrite(rel, clean);
    return rel;
  }

  /** result.json, junit.xml and report.html, from one result (its texts redacted too). */
  writeResult(result: RunResult): void {
    const clean = JSON.parse(redactText(JSON.stringify(result), this.#secrets)) as RunResult;
    this.#atomicWrite('result.json', JSON.stringify(clean, null, 2) + '\n');
    this.#atomicWrite('junit.xml', junitXml(clean));
    this.#atomicWrite('report.html', reportHtml(clean));
  }

  #atomicWrite(rel: string, text: string): void {
    const file = join(this.path, rel);
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: a reader (or a Ctrl-C) never sees half a file.
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }
}
