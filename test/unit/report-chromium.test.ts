import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportDir } from '../../harness/report/reportDir.ts';
import { sampleResult } from './report-fixture.ts';

const chromium = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'report-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Headless Chromium with nothing that talks to the network or keeps state between runs. */
function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profile}`,
  ];
}

describe('report.html in headless Chromium', () => {
  it.skipIf(!existsSync(chromium))('renders the timeline and every assertion', async () => {
    const report = new ReportDir(join(dir, 'r'), []);
    const result = sampleResult();
    report.writeResult(result);
    const url = pathToFileURL(join(report.path, 'report.html')).href;
    const dom = await execa(chromium, [...chromiumArgs(join(dir, 'profile-1')), '--dump-dom', url], { timeout: 90_000 });
    const html = dom.stdout;
    // The DOM Chromium built, not our string: the SVG was parsed into elements.
    expect(html).toMatch(/<svg id="timeline"[^>]*>/);
    expect(html.match(/<rect class="phase"/g)?.length).toBe(27);
    for (const a of result.assertions) {
      expect(html).toMatch(new RegExp(`<tr class="assertion" data-assertion="${a.name}" data-ok="${a.ok}">`));
    }
    expect(html).toContain('id="outcome" class="badge fail" data-outcome="fail">FAIL</span>');

    const png = join(dir, 'report.png');
    await execa(chromium, [...chromiumArgs(join(dir, 'profile-2')), `--screenshot=${png}`, '--window-size=1100,1400', '--hide-scrollbars', url], { timeout: 90_000 });
    expect(statSync(png).size).toBeGreaterThan(20_000);
    if (process.env.REPORT_SCREENSHOT) await execa('cp', [png, process.env.REPORT_SCREENSHOT]);
  });
});
