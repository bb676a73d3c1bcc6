/**
 * What a command prints: for people by default (results on stdout, progress on stderr so a pipe
 * gets only the result), or with --json one JSON document on stdout that scripts parse.
 */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: (text: string) => void = (text) => process.stdout.write(text),
    private readonly stderr: (text: string) => void = (text) => process.stderr.write(text),
  ) {}

  /** The command's result: `human` lines for people, `data` as JSON for scripts. */
  result(data: unknown, human: string | string[]): void {
    if (this.json) this.stdout(`${JSON.stringify(data, null, 2)}\n`);
    else this.stdout(`${(Array.isArray(human) ? human : [human]).join('\n')}\n`);
  }

  /** Progress and hints, for people only. */
  progress(line: string): void {
    if (!this.json) this.stderr(`${line}\n`);
  }

  error(line: string): void {
    this.stderr(`${line}\n`);
  }
}

/** Rows as aligned columns, a header first; empty cells as "–". */
export function table(rows: Record<string, unknown>[], columns: Record<string, string>): string[] {
  if (rows.length === 0) return ['(none)'];
  const keys = Object.keys(columns);
  const cells = rows.map((row) => keys.map((key) => cell(row[key])));
  const header = keys.map((key) => columns[key]);
  const widths = keys.map((_, index) => Math.max(header[index].length, ...cells.map((line) => line[index].length)));
  const line = (values: string[]) =>
    values
      .map((value, index) => value.padEnd(widths[index]))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)];
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (Array.isArray(value)) return value.length ? value.map(cell).join(' ') : '–';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
