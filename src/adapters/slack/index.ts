export {
  buildSlackMessage,
  executionConsoleUrl,
  formatDuration,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  type SlackMessageOptions,
  totalBlockText,
} from './slack-message.js';
export {
  DEFAULT_SLACK_TIMEOUT_MS,
  SLACK_SETTINGS,
  type SlackFetch,
  SlackNotifier,
  type SlackSettings,
} from './slack-notifier.js';
