/**
 * A message that speaks of a field of the control API's request names it as `field` (the API's own name, in
 * backticks). The API and the console show it so; the CLI, whose user typed a flag, writes the flag there
 * instead (cli/flags.ts). Domain and application messages never name a CLI flag.
 */
export const field = (name: string) => `\`${name}\``;
