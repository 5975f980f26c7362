import { describe, expect, it } from 'vitest';
import { PREVIEW_CHARS, TRANSCRIPT_SUMMARY_MAX_BYTES, safePreview, summarizeTranscript } from '../../../shared/evidence/transcript.js';

const transcript = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

describe('RunScript transcript summaries', () => {
  it('give the exit code and previews of the output and errors', () => {
    const body = transcript({ script_name: 'Collect.ps1', exit_code: 3, script_output: 'line 1\r\nline 2', script_errors: 'warning' });
    expect(summarizeTranscript(body, body.length)).toEqual({
      exitCode: 3,
      outputPreview: 'line 1\nline 2',
      errorsPreview: 'warning',
      outputChars: 14,
      errorsChars: 7,
    });
  });

  it('leave out the NULs that end a real transcript, from the previews and the lengths, keeping NULs inside the text', () => {
    const output = 'Transcript started, output file is C:\\x.txt\ncollected\u0000 3 files\r\n' + '\u0000'.repeat(12);
    const body = transcript({ exit_code: 0, script_output: output, script_errors: 'warning\u0000\u0000' });
    const summary = summarizeTranscript(body, body.length);
    expect(summary.outputPreview).toBe('Transcript started, output file is C:\\x.txt\ncollected\uFFFD 3 files\n');
    expect(summary.outputChars).toBe(output.length - 12);
    expect(summary.errorsPreview).toBe('warning');
    expect(summary.errorsChars).toBe(7);
  });

  it('bound the previews and say how long the full text is', () => {
    const output = 'A'.repeat(50_000);
    const body = transcript({ exit_code: 0, script_output: output, script_errors: '' });
    const summary = summarizeTranscript(body, body.length);
    expect(summary.outputPreview).toHaveLength(PREVIEW_CHARS + 1);
    expect(summary.outputPreview.endsWith('…')).toBe(true);
    expect(summary.outputChars).toBe(50_000);
  });

  it('neutralise terminal escapes, bidi overrides and other control characters in device text', () => {
    const hostile = 'ok\u001b[2J\u001b]0;owned\u0007 \u202Eexe.txt\u0000\u0085\u2028end\ud800';
    const body = transcript({ exit_code: 0, script_output: hostile, script_errors: '\u001b[31mred' });
    const summary = summarizeTranscript(body, body.length);
    expect(summary.outputPreview).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2028]/);
    expect(summary.outputPreview).toContain('ok\uFFFD[2J');
    expect(summary.errorsPreview).toBe('\uFFFD[31mred');
  });

  it.each([
    ['text that is not JSON', Buffer.from('Transcript started... not json'), /not JSON/],
    ['JSON that is not an object', Buffer.from('[1,2,3]'), /not a JSON object/],
  ])('say why %s is not summarised, never failing', (_name, body, note) => {
    const summary = summarizeTranscript(body, body.length);
    expect(summary).toMatchObject({ exitCode: null, outputPreview: '', note: expect.stringMatching(note) as string });
  });

  it('do not parse a transcript larger than the summary limit', () => {
    const prefix = Buffer.alloc(TRANSCRIPT_SUMMARY_MAX_BYTES, 'x');
    expect(summarizeTranscript(prefix, TRANSCRIPT_SUMMARY_MAX_BYTES + 1).note).toMatch(/larger than/);
  });

  it.each([
    ['a numeric string', '7', 7],
    ['a fraction', 1.5, null],
    ['an object', { code: 1 }, null],
    ['nothing', undefined, null],
  ])('read %s as exit code %s', (_name, exitCode, expected) => {
    const body = transcript({ exit_code: exitCode, script_output: '' });
    expect(summarizeTranscript(body, body.length).exitCode).toBe(expected);
  });

  it('never cut a surrogate pair in half', () => {
    expect(safePreview(`${'a'.repeat(9)}😀`, 10)).toBe(`${'a'.repeat(9)}…`);
  });
});
