/**
 * Parses the pod annotation `<prefix>/skip-containers`. The reference reads it with Go's encoding/csv and keeps
 * only the first record: quoting works ("\"a,b\"" is one name), a malformed value (a bare quote) or an empty one
 * skips nothing. One deliberate difference: names are trimmed, so "a, b" skips `b` too (reference issues #93,
 * #123). Container names are DNS labels and never contain spaces, so trimming cannot change which container a
 * valid name means.
 */
export function parseSkipContainers(value: string | undefined): Set<string> {
  const names = new Set<string>();
  if (!value) return names;
  const record = firstCsvRecord(value);
  if (!record) return names;
  for (const field of record) {
    const name = field.trim();
    if (name !== '') names.add(name);
  }
  return names;
}

/** The first record of a CSV text as Go's csv.Reader (default settings) reads it, or undefined on error/empty. */
function firstCsvRecord(text: string): string[] | undefined {
  const s = text.replace(/\r\n/g, '\n');
  let i = 0;
  // Go's reader skips empty lines before the first record.
  while (s[i] === '\n') i++;
  if (i >= s.length) return undefined;
  const fields: string[] = [];
  for (;;) {
    if (s[i] === '"') {
      // Quoted field: "" is a literal quote; the closing quote must be followed by , or end of line.
      let field = '';
      i++;
      for (;;) {
        if (i >= s.length) return undefined; // extraneous or missing " in quoted-field
        const ch = s[i];
        if (ch === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      fields.push(field);
      if (i >= s.length || s[i] === '\n') return fields;
      if (s[i] !== ',') return undefined;
      i++;
    } else {
      let end = i;
      while (end < s.length && s[end] !== ',' && s[end] !== '\n') end++;
      const field = s.slice(i, end);
      if (field.includes('"')) return undefined; // bare " in non-quoted field
      fields.push(field);
      if (end >= s.length || s[end] === '\n') return fields;
      i = end + 1;
    }
  }
}
