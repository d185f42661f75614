/**
 * The status line on stderr while the bench runs: rewritten in place on a terminal, otherwise printed as
 * plain lines at most once a second (so logs stay short).
 */
export class Progress {
  private readonly tty: boolean;
  private shown = '';
  private lastPrinted = 0;
  private prefix = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.tty = stream.isTTY === true;
  }

  /** Starts a new stage (e.g. a group); always shown. */
  stage(text: string): void {
    this.prefix = text;
    this.write(text, true);
  }

  /** A detail of the current stage. */
  update(text: string): void {
    this.write(this.prefix === '' ? text : `${this.prefix} | ${text}`, false);
  }

  /** Prints a whole line (a child's output, a note) without losing the status line. */
  log(text: string): void {
    this.clear();
    this.stream.write(text.endsWith('\n') ? text : text + '\n');
    if (this.tty && this.shown !== '') this.stream.write(this.shown);
  }

  /** Removes the status line. */
  done(): void {
    this.clear();
    this.shown = '';
  }

  private write(text: string, force: boolean): void {
    if (this.tty) {
      const width = (this.stream.columns ?? 100) - 1;
      this.clear();
      this.shown = text.length > width ? text.slice(0, width) : text;
      this.stream.write(this.shown);
      return;
    }
    const now = Date.now();
    if (!force && now - this.lastPrinted < 1000) return;
    this.lastPrinted = now;
    this.stream.write(text + '\n');
  }

  private clear(): void {
    if (this.tty && this.shown !== '') this.stream.write('\r\x1b[K');
  }
}
