/** HELP text escaping of the text format 0.0.4: backslash and newline. */
export function escapeHelpText(help: string): string {
  if (!/[\\\n]/.test(help)) return help;
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/** HELP text escaping of OpenMetrics 1.0: backslash, newline and double quote. */
export function escapeHelpOpenMetrics(help: string): string {
  if (!/[\\\n"]/.test(help)) return help;
  return help.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}
