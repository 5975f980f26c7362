/**
 * What `npm run dryrun -- --alert FILE` reads: one JSON value (an alert, a
 * collection page, streaming records with or without their envelope, or an
 * array of several messages' envelopes), or JSON lines (one message or
 * record per line, as Event Hub exports are often kept). Lines become an
 * array, which the parser reads as several messages' worth of records.
 */
export function readAlertFile(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (wholeError) {
    const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
    if (lines.length < 2) return { ok: false, error: `not JSON: ${(wholeError as Error).message}` };
    const values: unknown[] = [];
    for (const [i, line] of lines.entries()) {
      try {
        values.push(JSON.parse(line) as unknown);
      } catch (lineError) {
        return { ok: false, error: `neither JSON nor JSON lines: line ${i + 1}: ${(lineError as Error).message}` };
      }
    }
    return { ok: true, value: values };
  }
}
