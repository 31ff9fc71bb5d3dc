import { htmlWriter } from './html.js';
import { jsonWriter } from './json.js';
import { junitWriter } from './junit.js';
import { markdownWriter } from './markdown.js';
import { pcapngWriter } from './pcapng.js';
import type { ReportWriter } from './report-writer.js';

/** Every output format of a run directory, in writing order; the signed manifest follows them all. */
export const REPORT_WRITERS: readonly ReportWriter[] = [jsonWriter, junitWriter, htmlWriter, markdownWriter, pcapngWriter];

export type { ReportWriter };
