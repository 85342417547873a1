// How deeply a JSON text nests, measured before JSON.parse: code that walks parsed values recursively
// (normalizers, JSON.stringify, OTLP attribute values) would overflow the stack on hostile input.

/** Deepest nesting any input we accept needs (OTLP exports nest about a dozen levels). */
export const MAX_JSON_DEPTH = 64;

/** True when the text opens more than `max` arrays/objects inside each other (brackets in strings do not count). */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 || ch === 123) {
      if (++depth > max) return true;
    } else if (ch === 93 || ch === 125) depth--;
  }
  return false;
}
