/**
 * Errors about the command's input. The CLI prints them as `report: <file>: <problem>` and exits 2,
 * without a stack trace: they describe the data, not a bug.
 */
export class ReportInputError extends Error {
  /** The file, directory, s3:// URI or option the problem is about; absent when it concerns the whole run. */
  readonly file: string | undefined;

  constructor(file: string | undefined, message: string) {
    super(message);
    this.name = "ReportInputError";
    this.file = file;
  }

  /** The line the CLI prints, without the `report: ` prefix. */
  describe(): string {
    return this.file === undefined ? this.message : `${this.file}: ${this.message}`;
  }
}
