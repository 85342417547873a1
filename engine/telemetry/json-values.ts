// A JSON array's elements, or a run of top-level JSON values (pretty-printed documents), as separate texts:
// a scanner that tracks only strings and nesting, so a large array is never parsed, or held, whole.
import { byteChunks, type ByteSource } from './lines';

export type ValueItem = { line: number; text: string } | { line: number; error: string };

const WS = new Set([' ', '\t', '\r', '\n']);

export async function* jsonValues(source: ByteSource, maxValueChars: number): AsyncGenerator<ValueItem> {
  const decoder = new TextDecoder();
  let line = 1;
  let array: boolean | undefined; // decided by the first non-blank character
  let arrayClosed = false;
  let inValue = false;
  let valueLine = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let size = 0;
  let tooLong = false;

  const take = (piece: string): void => {
    if (tooLong) return;
    size += piece.length;
    if (size > maxValueChars) {
      tooLong = true;
      parts = [];
    } else {
      parts.push(piece);
    }
  };
  const finish = (): ValueItem => {
    const item: ValueItem = tooLong
      ? { line: valueLine, error: `JSON value is longer than ${maxValueChars} characters` }
      : { line: valueLine, text: parts.join('') };
    inValue = false;
    parts = [];
    size = 0;
    tooLong = false;
    return item;
  };

  for await (const text of decoded(source, decoder)) {
    let segStart = 0; // start of the current value's text within this chunk
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (!inValue) {
        if (c === '\n') line += 1;
        if (WS.has(c)) continue;
        if (array === undefined) {
          array = c === '[';
          if (array) continue;
        }
        if (array && (c === ',' || c === ']' || arrayClosed)) {
          if (arrayClosed) {
            yield { line, error: 'unexpected content after the end of the JSON array' };
            return;
          }
          arrayClosed = c === ']';
          continue;
        }
        inValue = true;
        valueLine = line;
        depth = 0;
        inString = false;
        escaped = false;
        segStart = i;
      }
      if (inString) {
        if (c === '\n') line += 1;
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') {
          inString = false;
          if (depth === 0) {
            take(text.slice(segStart, i + 1));
            yield finish();
          }
        }
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth += 1;
      else if (c === '}' || c === ']') {
        depth -= 1;
        if (depth === 0) {
          take(text.slice(segStart, i + 1));
          yield finish();
        } else if (depth < 0) {
          if (array !== true) {
            yield { line, error: `unexpected '${c}'` };
            return;
          }
          // a bare element (number, literal) closed by the array's own bracket: end it, then close the array
          take(text.slice(segStart, i));
          yield finish();
          arrayClosed = true;
        }
      } else if (depth === 0 && (c === ',' || WS.has(c))) {
        take(text.slice(segStart, i)); // end of a bare value (number, literal)
        yield finish();
        if (c === '\n') line += 1;
      } else if (c === '\n') line += 1;
    }
    if (inValue) take(text.slice(segStart));
  }
  if (inValue && depth === 0 && !inString) yield finish();
  else if (inValue) yield { line: valueLine, error: 'JSON value is not closed before the end of the input' };
  else if (array === true && !arrayClosed) yield { line, error: 'JSON array is not closed before the end of the input' };
}

async function* decoded(source: ByteSource, decoder: TextDecoder): AsyncGenerator<string> {
  for await (const chunk of byteChunks(source)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
