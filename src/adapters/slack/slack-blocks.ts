/**
 * Block Kit as the rotator uses it: the block types, Slack's size limits and our own named
 * budgets, and the small constructors that keep every block within them.
 */

export interface PlainTextObject {
  type: 'plain_text';
  text: string;
  emoji: true;
}

export interface MrkdwnTextObject {
  type: 'mrkdwn';
  text: string;
  /** True: Slack does not auto-link names or parse mentions in our text; explicit `<url|label>` links still work. */
  verbatim: true;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainTextObject;
}

export interface SectionBlock {
  type: 'section';
  text: MrkdwnTextObject;
}

export interface ContextBlock {
  type: 'context';
  elements: MrkdwnTextObject[];
}

export interface DividerBlock {
  type: 'divider';
}

export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** What is POSTed to the incoming webhook. */
export interface SlackMessage {
  /** The notification and accessibility fallback: the header's counts and the targets that need a human. */
  text: string;
  blocks: SlackBlock[];
  /** No link previews: the only links are to the AWS console. */
  unfurl_links: false;
  unfurl_media: false;
}

/** Slack's documented limits (and the undocumented total), with our margins. */
export const SLACK_LIMITS = {
  /** Blocks per message. */
  maxBlocks: 50,
  /** Header block text (plain_text). */
  headerText: 150,
  /** Section block text. */
  sectionText: 3000,
  /** Elements of a context block. */
  contextElements: 10,
  /**
   * All block text together. Slack answers `msg_blocks_too_long` from about 12,000 characters
   * (undocumented; seen as low as ~11,300, slackapi/bolt-js#2509 and #2867): we stay far below.
   */
  totalBlockText: 8000,
  /** The top-level `text` (Slack truncates at 40,000 and advises less than 4,000). */
  fallbackText: 1000,
} as const;

/** Per-piece caps, so one long error message cannot crowd out the other targets. */
export const CAP = {
  name: 120,
  errorMessage: 400,
  sentence: 400,
  rolledBack: 500,
  warning: 240,
  warnings: 5,
  attentionSection: 1500,
} as const;

/** How the compact layout (many targets) shares the text budget out. */
export const COMPACT_BUDGET = {
  /** Text kept back for each routine outcome's list of names while the attention targets are placed. */
  routineReservePerOutcome: 400,
  /** The least text a routine outcome's list of names gets, however little budget is left. */
  minRoutineList: 200,
  /** Room kept at the end of an attention section for "… and N more need a human" (plus the link). */
  moreTail: 60,
  /** Margin under Slack's section limit when packing one-line attention entries into a section. */
  sectionMargin: 100,
} as const;

/** Cuts mrkdwn without leaving half an entity (`&am`) or half a link (`<https://...`). */
function fitMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  return `${cut.trimEnd()}…`;
}

export function section(text: string, max: number = SLACK_LIMITS.sectionText): SectionBlock {
  return {
    type: 'section',
    text: { type: 'mrkdwn', text: fitMrkdwn(text, Math.min(max, SLACK_LIMITS.sectionText)), verbatim: true },
  };
}

export function mrkdwn(text: string): MrkdwnTextObject {
  return { type: 'mrkdwn', text, verbatim: true };
}

export function blockText(block: SlackBlock): number {
  switch (block.type) {
    case 'header':
    case 'section':
      return block.text.text.length;
    case 'context':
      return block.elements.reduce((n, e) => n + e.text.length, 0);
    case 'divider':
      return 0;
  }
}

/** Characters of text in all blocks (what Slack's undocumented total limit counts). */
export function totalBlockText(blocks: readonly SlackBlock[]): number {
  return blocks.reduce((n, b) => n + blockText(b), 0);
}
