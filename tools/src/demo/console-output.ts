import { isAbsolute, relative } from 'node:path';

/** Writes one line to stdout unless the demo is shutting down (late story output would only confuse). */
export class ConsoleOutput {
  private muted = false;

  line(text = ''): void {
    if (!this.muted) process.stdout.write(`${text}\n`);
  }

  /** Always printed, even while shutting down. */
  always(text = ''): void {
    process.stdout.write(`${text}\n`);
  }

  mute(): void {
    this.muted = true;
  }
}

/** A path as the user would type it: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown && !shown.startsWith('..') && !isAbsolute(shown) ? shown : path;
}
