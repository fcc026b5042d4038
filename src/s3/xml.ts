import { XMLParser } from 'fast-xml-parser';

const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${c.charCodeAt(0).toString(16)};`;
    }
  });
}

/** An XML node: text, a nested element list, or a list of repeated elements. Undefined members are skipped. */
export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlNode[];
export type XmlNode = { [name: string]: XmlValue };

function render(node: XmlNode): string {
  let out = '';
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) out += `<${name}>${render(item)}</${name}>`;
    } else if (typeof value === 'object') {
      out += `<${name}>${render(value)}</${name}>`;
    } else {
      out += `<${name}>${escapeXml(String(value))}</${name}>`;
    }
  }
  return out;
}

/** A whole S3 response document: `<Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/">…</Root>`. */
export function xmlDocument(root: string, body: XmlNode, xmlns = true): string {
  const ns = xmlns ? ` xmlns="${S3_XMLNS}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${render(body)}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
});

/** Parses a request body; undefined when it is not well-formed XML (the caller answers MalformedXML). */
export function parseXml(text: string): Record<string, unknown> | undefined {
  try {
    const trimmed = text.trim();
    if (!trimmed.startsWith('<')) return undefined;
    const v = parser.parse(trimmed, true);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A child that may be repeated, as a list. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}
