// RFC 4180 rows over streamed lines: quoted fields may hold commas, doubled quotes and line breaks.
import { MAX_LINE_BYTES, type LineItem } from './lines';

/** A row's fields, numbered by the line it starts on; or why the row was dropped. */
export type RowItem = { line: number; fields: string[] } | { line: number; error: string };

const QUOTE = 34;

export async function* csvRows(lines: AsyncIterable<LineItem>, maxRowChars = MAX_LINE_BYTES): AsyncGenerator<RowItem> {
  let open = false; // a quoted field continues on the next line
  let rowLine = 0;
  let rowSize = 0;
  let fields: string[] = [];
  let field = '';
  let fieldStart = true;

  /** Consumes one line; true when the row is complete. */
  const consume = (s: string): boolean => {
    let pos = 0;
    for (;;) {
      if (open) {
        const q = s.indexOf('"', pos);
        if (q === -1) {
          field += s.slice(pos);
          return false;
        }
        field += s.slice(pos, q);
        if (s.charCodeAt(q + 1) === QUOTE) {
          field += '"';
          pos = q + 2;
          continue;
        }
        open = false;
        pos = q + 1; // text between a closing quote and the comma is kept, as spreadsheets do
        continue;
      }
      if (fieldStart && s.charCodeAt(pos) === QUOTE) {
        open = true;
        fieldStart = false;
        pos += 1;
        continue;
      }
      fieldStart = false;
      const comma = s.indexOf(',', pos);
      if (comma === -1) {
        fields.push(field + s.slice(pos));
        return true;
      }
      fields.push(field + s.slice(pos, comma));
      field = '';
      fieldStart = true;
      pos = comma + 1;
    }
  };
  const reset = (): void => {
    open = false;
    rowSize = 0;
    fields = [];
    field = '';
    fieldStart = true;
  };

  for await (const item of lines) {
    if ('error' in item) {
      yield open ? { line: rowLine, error: `row starting here is broken: ${item.error} at line ${item.line}` } : item;
      reset();
      continue;
    }
    if (open) {
      field += '\n';
    } else {
      rowLine = item.line;
    }
    rowSize += item.text.length + 1;
    if (rowSize > maxRowChars) {
      yield { line: rowLine, error: `row is longer than ${maxRowChars} characters` };
      reset();
      continue;
    }
    if (consume(item.text)) {
      yield { line: rowLine, fields };
      reset();
    }
  }
  if (open) yield { line: rowLine, error: 'quoted field is not closed before the end of the input' };
}
