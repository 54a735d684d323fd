/**
 * Progress while polling, on stderr: a live table redrawn in place on a terminal, plain lines
 * (a summary per round, then what changed) when stderr is a file or a CI log.
 */
import type { Round } from '../poll.js';
import type { Verdict } from '../status.js';
import { countsText, objectRef } from './report.js';
import { sortVerdicts, verdictTable } from './table.js';

const key = (v: Verdict) => `${v.kind}/${v.namespace}/${v.name}`;

/** Plain lines: round summary; then every object that is not Healthy (first round) or whose status changed. */
export function progressLines(prev: Round | undefined, round: Round): string[] {
  const before = new Map(prev?.verdicts.map((v) => [key(v), v.status]));
  const secs = (round.elapsedMs / 1000).toFixed(1);
  const lines = [`round ${round.n} (+${secs}s, ${round.requests} requests): ${countsText(round.verdicts)}`];
  for (const v of sortVerdicts(round.verdicts)) {
    const was = before.get(key(v));
    if (prev ? was === v.status : v.status === 'Healthy') continue;
    const arrow = was && was !== v.status ? `${was} → ${v.status}` : v.status;
    lines.push(`  ${objectRef(v)}: ${arrow} (${v.reason}) ${v.message}`);
  }
  return lines;
}

/** The rows a live frame shows at most; the rest is summarised (a thousand Healthy rows help nobody). */
const LIVE_ROWS = 30;

/** One frame of the live table, messages cut to `width` columns so no line wraps. */
export function liveFrame(round: Round, color: boolean, width?: number): string[] {
  const sorted = sortVerdicts(round.verdicts);
  const shown = sorted.slice(0, LIVE_ROWS);
  const lines = verdictTable(shown, color, width);
  if (sorted.length > shown.length) lines.push(`… and ${sorted.length - shown.length} more`);
  lines.push(`round ${round.n}, +${(round.elapsedMs / 1000).toFixed(1)}s: ${countsText(round.verdicts)}`);
  return lines;
}

/** Escape codes that move the cursor up over the previous frame and clear it, then the new frame. */
export function redraw(previousLines: number, frame: readonly string[]): string {
  const up = previousLines > 0 ? `\x1b[${previousLines}F\x1b[J` : '';
  return `${up}${frame.join('\n')}\n`;
}
