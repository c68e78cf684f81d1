/**
 * The control API's request fields as the CLI's flags name them. A message of the API (or of the application
 * layer) names a field as `field` (domain/fields.ts); the CLI's user typed a flag, so the CLI prints the flag
 * there (cli/main.ts, the one place errors are printed). A field no command takes as a flag keeps its name.
 */
const FLAGS: Readonly<Record<string, string>> = {
  id: '--id',
  name: '--name',
  at: '--at',
  folders: '--folders',
  retire: '--retire',
  onFailure: '--on-failure',
  concurrency: '--concurrency',
  minNotice: '--min-notice',
  allowNonBusinessDay: '--allow-non-business-day',
  maxNotReady: '--max-not-ready',
  reason: '--reason',
  to: '--to',
};

/** `message` with each `field` it names written as the CLI's flag. */
export const withFlags = (message: string): string =>
  message.replace(/`([A-Za-z]+)`/g, (_m, name: string) => (Object.hasOwn(FLAGS, name) ? FLAGS[name] : name));
