import axe from 'axe-core';
import type { Page } from 'playwright-core';

export interface AxeFinding {
  rule: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/**
 * axe-core's violations on the page as it is now. The engine comes from the
 * package, never downloaded, and goes in through the debugging protocol: the
 * app's Content-Security-Policy (script-src 'self') rightly refuses an inline
 * <script>, so `addScriptTag({ content })` cannot be used here.
 */
export async function axeFindings(page: Page): Promise<AxeFinding[]> {
  type WithAxe = Window & { axe?: typeof axe };
  if (!(await page.evaluate(() => !!(window as WithAxe).axe))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const result = await (window as WithAxe).axe!.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim() })),
    }));
  });
}

/** The critical and serious findings, one line per element, so a failure names what to fix. */
export async function seriousFindings(page: Page): Promise<string[]> {
  const findings = await axeFindings(page);
  return findings
    .filter((f) => f.impact === 'critical' || f.impact === 'serious')
    .flatMap((f) => f.nodes.map((n) => `${f.impact} ${f.rule} at ${n.target}: ${n.summary}`));
}
