/**
 * One message for a YAML syntax error, in words a person fixes: the YAML parser reports one
 * indentation mistake as several messages about compact mappings and implicit keys, one per line
 * for tabs. When the parser has failed, this reads the lines again — keys, their columns, which keys
 * open a block — and names the first line whose indentation is wrong and what to do about it.
 *
 * Pure: text in, at most one problem out. It only explains; the parser decides that the text is bad.
 */

export interface IndentProblem {
  /** 1-based line and column of the bad indentation. */
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

interface Line {
  readonly n: number;
  /** Column (0-based) of the key or item; for `- key: v` the key's column. */
  readonly indent: number;
  /** `uri` for `uri: x`, undefined for a line that is not `key:`. */
  readonly key?: string;
  /** The line ends after `key:` (a block follows) or is a bare `-`. */
  readonly opens: boolean;
  readonly text: string;
  /** Column of the `-` of a sequence item on this line. */
  readonly dash?: number;
}

const KEY = /^((?:"[^"]*"|'[^']*'|[^\s#'"{[\]}:,][^:#]*?))\s*:(?:\s+|$)(.*)$/;
const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];

const spaces = (n: number) => `${WORDS[n] ?? String(n)} space${n === 1 ? '' : 's'}`;
const name = (l: Line, col = l.indent) => {
  if (l.key !== undefined && col === l.indent) return `\`${l.key}:\``;
  const t = l.dash !== undefined ? `- ${l.key !== undefined ? `${l.key}:` : l.text}` : l.text;
  return `\`${t.length > 24 ? `${t.slice(0, 24)}…` : t}\``;
};

/** The first indentation mistake at or before `errorLine` (the parser's first complaint), if any. */
export function indentationProblem(text: string, errorLine: number): IndentProblem | undefined {
  const raw = text.split(/\r?\n/);
  const lines: Line[] = [];
  let scalarBlock: number | undefined; // indent of the key whose `|`/`>` block we are inside
  let flowDepth = 0;
  for (let i = 0; i < raw.length && i < errorLine + 1; i++) {
    const s = raw[i] ?? '';
    const lead = /^[ \t]*/.exec(s)?.[0] ?? '';
    const rest = s.slice(lead.length);
    if (rest === '' || rest.startsWith('#')) continue;
    if (scalarBlock !== undefined && (lead.length > scalarBlock || lead.includes('\t'))) continue;
    scalarBlock = undefined;
    if (flowDepth > 0) {
      flowDepth += depthChange(rest);
      continue;
    }
    const tab = lead.indexOf('\t');
    if (tab >= 0) {
      const more = raw.slice(i + 1).filter((r) => /^ *\t/.test(r)).length;
      return { line: i + 1, col: tab + 1, message: `tabs are not allowed for indentation in YAML; use spaces${more ? ` (${more} more line${more === 1 ? '' : 's'} below indent${more === 1 ? 's' : ''} with a tab too)` : ''}` };
    }
    let indent = lead.length;
    let body = rest;
    let dash: number | undefined;
    const item = /^-(\s+|$)/.exec(body);
    if (item) {
      dash = indent;
      indent += 1 + (item[1]?.length ?? 0);
      body = body.slice(item[0].length);
    }
    const m = KEY.exec(body);
    const value = m ? (m[2] ?? '').replace(/\s+#.*$/, '').trim() : undefined;
    if (value !== undefined && /^[|>][0-9+-]*$/.test(value)) scalarBlock = indent;
    else if (!m && dash !== undefined && /^[|>][0-9+-]*\s*(#.*)?$/.test(body)) scalarBlock = dash; // `- |`
    flowDepth = depthChange(m ? (value ?? '') : body);
    const key = m?.[1]?.trim();
    lines.push({ n: i + 1, indent, ...(key !== undefined ? { key } : {}), opens: m ? value === '' : body === '', text: body.trim(), ...(dash !== undefined ? { dash } : {}) });
  }

  // The columns a next line may line up with: the keys and items above it that are still open, innermost last.
  const stack: { col: number; line: Line }[] = [];
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k] as Line;
    const prev = lines[k - 1];
    const col = l.dash ?? l.indent;
    const popped: { col: number; line: Line }[] = [];
    while (stack.length && (stack[stack.length - 1] as { col: number }).col > col) popped.push(stack.pop() as { col: number; line: Line });
    const top = stack[stack.length - 1];
    if (prev && popped.length && top?.col !== col) {
      // Shallower than the line above, but at no column a key above it starts at.
      const options: string[] = [];
      if (prev.opens && prev.key !== undefined && prev.indent + 2 > col) options.push(`${spaces(prev.indent + 2 - col)} more to nest it under ${name(prev)}`);
      const targets = [...popped, ...(top ? [top] : [])];
      const seen = new Set<number>();
      for (const t of targets.sort((a, b) => Math.abs(a.col - col) - Math.abs(b.col - col))) {
        if (seen.has(t.col) || options.length >= 2) continue;
        seen.add(t.col);
        const to = `line it up with ${name(t.line, t.col)}`;
        options.push(t.col > col ? `${spaces(t.col - col)} more to ${to}` : `${spaces(col - t.col)} less to ${to}`);
      }
      if (options.length) return { line: l.n, col: col + 1, message: `bad indentation: ${name(l)} lines up with no key above it — indent it ${options.join(', or ')}` };
    } else if (prev && !popped.length && top && col > top.col && !prev.opens && l.dash === undefined) {
      // Deeper than the line above, which already has a value: a continuation unless it is a key.
      if (l.key === undefined) continue;
      const before = lines[k - 2];
      if (before && before.opens && before.indent === prev.indent && before.key !== undefined && prev.key !== undefined) {
        return { line: prev.n, col: prev.indent + 1, message: `bad indentation: ${name(before)} has no value, so ${name(prev)} belongs under it — indent ${name(prev)} under ${name(before)} by ${spaces(l.indent - prev.indent)}, like ${name(l)} below it` };
      }
      return { line: l.n, col: l.indent + 1, message: `bad indentation: ${name(l)} is indented deeper than ${name(prev)} above it, which already has a value — line ${name(l)} up with ${name(prev)} (${spaces(l.indent - prev.indent)} less)` };
    }
    if (l.dash !== undefined) stack.push({ col: l.dash, line: l });
    if (l.dash === undefined || l.key !== undefined) stack.push({ col: l.indent, line: l });
  }
  return undefined;
}

/** Net `{[` minus `]}` outside quotes and comments. */
function depthChange(s: string): number {
  let d = 0;
  let q: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === q) q = undefined;
    } else if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1] ?? ''))) break;
    else if (c === '{' || c === '[') d++;
    else if (c === '}' || c === ']') d--;
  }
  return Math.max(d, 0);
}
