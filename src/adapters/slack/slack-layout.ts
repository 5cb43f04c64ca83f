import type { TargetReport } from '../../domain/report.js';
import { blockText, CAP, COMPACT_BUDGET, type SlackBlock, SLACK_LIMITS, section } from './slack-blocks.js';
import { safe } from './slack-text.js';
import { attentionLine, EMOJI, LABEL, NEEDS_ATTENTION, OUTCOME_ORDER, targetSection } from './slack-wording.js';

/** The layout of a run with many targets: what is shown in full, in one line, or only counted. */

/**
 * A compact list, `{prefix}name, name, name… and N more`, within `max` characters.
 * `describe` gives each item's words (already safe for mrkdwn).
 */
export function compactList(
  prefix: string,
  items: readonly TargetReport[],
  describe: (r: TargetReport) => string,
  max: number,
): string {
  let text = prefix;
  for (const [i, item] of items.entries()) {
    const piece = `${i === 0 ? '' : ', '}${describe(item)}`;
    const rest = items.length - i;
    const tail = ` … and ${rest} more`;
    // Keep room for the "and N more" that would follow if this item were the last to fit.
    const room = rest > 1 ? max - tail.length : max;
    if (text.length + piece.length > room) return `${text}${i === 0 ? '' : ','}${tail}`;
    text += piece;
  }
  return text;
}

/**
 * Many targets. Those that need a human come first: in full while half the text budget lasts,
 * then one line each while the budget lasts, then counted. The others are summarised per
 * outcome as lists of names. The execution link is in the context block at the top.
 */
export function compactBlocks(
  attention: readonly TargetReport[],
  routine: readonly TargetReport[],
  consoleUrl: string | null,
  textBudget: number,
  blockBudget: number,
): SlackBlock[] {
  const groups = OUTCOME_ORDER.filter((o) => !NEEDS_ATTENTION.has(o))
    .map((outcome) => ({ outcome, items: routine.filter((r) => r.outcome === outcome) }))
    .filter((g) => g.items.length > 0);
  const routineReserve = groups.length * COMPACT_BUDGET.routineReservePerOutcome;
  const reservedBlocks = groups.length + (groups.length > 0 && attention.length > 0 ? 1 : 0);
  const attentionBudget = textBudget - routineReserve;
  const blocks: SlackBlock[] = [];
  let used = 0;
  let placed = 0;

  // 1. In full, while half the budget lasts (a block is kept for the one-line list).
  for (const report of attention) {
    const block = targetSection(report, null);
    const size = blockText(block);
    const listBlock = placed + 1 < attention.length ? 1 : 0;
    if (blocks.length + 1 + listBlock + reservedBlocks > blockBudget) break;
    if (used + size > attentionBudget / 2) break;
    blocks.push(block);
    used += size;
    placed++;
  }

  // 2. One line each, in sections of at most SLACK_LIMITS.sectionText, while the budget lasts.
  const rest = attention.slice(placed);
  if (rest.length > 0) {
    const link = consoleUrl ? ` <${consoleUrl}|Open the execution>` : '';
    const tailRoom = COMPACT_BUDGET.moreTail + link.length;
    const sections: string[] = [placed > 0 ? '*Also needing a human:*' : '*Needing a human:*'];
    let shown = 0;
    for (const report of rest) {
      const line = attentionLine(report);
      const current = sections[sections.length - 1] ?? '';
      const total = used + sections.reduce((n, t) => n + t.length + 1, 0) + line.length + tailRoom;
      if (total > attentionBudget) break;
      if (current.length + 1 + line.length + tailRoom <= SLACK_LIMITS.sectionText - COMPACT_BUDGET.sectionMargin) {
        sections[sections.length - 1] = `${current}\n${line}`;
      } else if (blocks.length + sections.length + 1 + reservedBlocks <= blockBudget) {
        sections.push(line);
      } else {
        break;
      }
      shown++;
    }
    const hidden = rest.length - shown;
    if (hidden > 0)
      sections[sections.length - 1] +=
        `\n… and ${hidden} more need${hidden === 1 ? 's' : ''} a human:${link || ' see the execution'}`;
    for (const text of sections) {
      const block = section(text);
      blocks.push(block);
      used += blockText(block);
    }
  }

  // 3. The others, one section per outcome, names only.
  if (groups.length > 0) {
    if (attention.length > 0) blocks.push({ type: 'divider' });
    const perGroup = Math.max(
      COMPACT_BUDGET.minRoutineList,
      Math.min(SLACK_LIMITS.sectionText, Math.floor((textBudget - used) / groups.length)),
    );
    for (const { outcome, items } of groups) {
      const label = LABEL[outcome];
      const prefix = `${EMOJI[outcome]} *${label[0]?.toUpperCase()}${label.slice(1)} (${items.length}):* `;
      blocks.push(section(compactList(prefix, items, (r) => safe(r.targetName, CAP.name), perGroup)));
    }
  }
  return blocks;
}
