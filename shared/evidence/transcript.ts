import { z } from 'zod';

/**
 * A RunScript transcript (mde-api.md 4.1: `{script_name, exit_code,
 * script_output, script_errors}`) summarised for the run status. The text is
 * written by a script on a possibly compromised device: it is data, bounded
 * and never interpreted. Previews keep printable text and line breaks only
 * (control, escape and bidi-override characters become U+FFFD), so showing
 * one on a terminal or a web page cannot move the cursor, recolour or
 * reorder anything. NULs that end the text are the padding of the
 * transcript file Defender reads the output from (real transcripts end in
 * them; the simulator's strict `valueFormats` too), not output: they are
 * left out of the previews and the lengths.
 */
export const transcriptSummarySchema = z.object({
  /** The script's exit code; null when the transcript has none or could not be read. */
  exitCode: z.number().int().nullable(),
  outputPreview: z.string(),
  errorsPreview: z.string(),
  /** Full lengths (characters), so a reader knows how much the preview leaves out. */
  outputChars: z.number().int().nonnegative(),
  errorsChars: z.number().int().nonnegative(),
  /** Why the transcript could not be summarised (too large, not JSON, ...). */
  note: z.string().optional(),
});
export type TranscriptSummary = z.infer<typeof transcriptSummarySchema>;

/** Bytes of a transcript read to summarise it; the blob always holds all of it. */
export const TRANSCRIPT_SUMMARY_MAX_BYTES = 1024 * 1024;
/** Characters kept of the output and of the errors. */
export const PREVIEW_CHARS = 1_000;

const transcriptShape = z.looseObject({
  exit_code: z.unknown().optional(),
  script_output: z.unknown().optional(),
  script_errors: z.unknown().optional(),
});

/**
 * Summarises a transcript from its first bytes. `totalBytes` is the whole
 * transcript's size: beyond TRANSCRIPT_SUMMARY_MAX_BYTES it is not parsed.
 */
export function summarizeTranscript(prefix: Buffer, totalBytes: number): TranscriptSummary {
  const none = { exitCode: null, outputPreview: '', errorsPreview: '', outputChars: 0, errorsChars: 0 };
  if (totalBytes > TRANSCRIPT_SUMMARY_MAX_BYTES || prefix.length < totalBytes) {
    return {
      ...none,
      note: `transcript of ${totalBytes} bytes is larger than ${TRANSCRIPT_SUMMARY_MAX_BYTES}: not summarised (the evidence blob holds it whole)`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(prefix.toString('utf8'));
  } catch {
    return { ...none, note: 'transcript is not JSON: not summarised (the evidence blob holds it as served)' };
  }
  const parsed = transcriptShape.safeParse(json);
  if (!parsed.success) return { ...none, note: 'transcript is not a JSON object: not summarised' };
  const output = withoutNulPadding(parsed.data.script_output);
  const errors = withoutNulPadding(parsed.data.script_errors);
  return {
    exitCode: exitCodeOf(parsed.data.exit_code),
    outputPreview: safePreview(output, PREVIEW_CHARS),
    errorsPreview: safePreview(errors, PREVIEW_CHARS),
    outputChars: output.length,
    errorsChars: errors.length,
  };
}

/** The text, without the NULs that end it (a transcript file's padding); '' when it is not a string. */
function withoutNulPadding(value: unknown): string {
  return typeof value === 'string' ? value.replace(/\u0000+$/, '') : '';
}

function exitCodeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,10}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** C0/C1 controls except tab and newline, DEL, bidi embeddings/overrides/isolates, line/paragraph separators. */
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Printable text of at most `maxChars` characters (an ellipsis marks a cut). */
export function safePreview(text: string, maxChars: number): string {
  // A cut never separates a surrogate pair; Windows line ends become \n before controls are replaced.
  const cut = text.length > maxChars ? text.slice(0, maxChars).replace(/[\uD800-\uDBFF]$/, '') : text;
  const clean = cut.replace(/\r\n/g, '\n').replace(UNSAFE, '\uFFFD').replace(LONE_SURROGATE, '\uFFFD');
  return text.length > maxChars ? `${clean}…` : clean;
}
