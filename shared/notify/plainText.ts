/**
 * Text from outside (an alert title, a device name, a path, an error) as a
 * single plain line of bounded length: control characters and line breaks
 * become spaces, and a value longer than `maxChars` is cut with an ellipsis.
 * What it says is kept: escaping for a format is the format's business.
 */
export function plainLine(text: string, maxChars: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const chars = [...flat];
  return chars.length <= maxChars ? flat : `${chars.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/** Cuts a whole text to `maxChars` characters, ending with `suffix` when it had to cut. */
export function capText(text: string, maxChars: number, suffix: string): string {
  const chars = [...text];
  if (chars.length <= maxChars) return text;
  const room = Math.max(0, maxChars - [...suffix].length);
  return `${chars.slice(0, room).join('')}${suffix}`;
}
