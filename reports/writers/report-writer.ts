import type { RenderInput } from '../runs/render-input.js';

/**
 * One output format of a run directory (compare OpenHTF's one callback class per output format).
 * A new format is one module exporting a ReportWriter plus one line in ./index.ts.
 */
export interface ReportWriter {
  /** File name in the run directory (from RUN_FILES). */
  readonly file: string;
  /**
   * The run's own record (report.json): a file already on disk that holds this very report is left
   * byte for byte as the runner wrote it; it is written when the report was handed over in memory,
   * or rebuilt, completed or redacted here.
   */
  readonly canonical?: boolean;
  /** Text is passed through the run's redactor once more before it is written; bytes are written as they are. */
  render(run: RenderInput): string | Buffer;
}
