import { readFileSync } from "node:fs";

/** A fenced code block of a Markdown file, with its language and the nearest heading above it. */
export interface CodeBlock {
  readonly lang: string;
  readonly heading: string;
  readonly code: string;
}

/** Every fenced code block of a Markdown file, in order. */
export function codeBlocks(markdownFile: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let heading = "";
  let open: { lang: string; lines: string[] } | null = null;
  for (const line of readFileSync(markdownFile, "utf8").split("\n")) {
    if (open) {
      if (line.startsWith("```")) {
        blocks.push({ lang: open.lang, heading, code: `${open.lines.join("\n")}\n` });
        open = null;
      } else open.lines.push(line);
    } else if (line.startsWith("```")) open = { lang: line.slice(3).trim(), lines: [] };
    else if (line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
  }
  return blocks;
}

/** The first TypeScript block (`ts` or `tsx`) of a Markdown file: the example a reader meets first. */
export function firstExample(markdownFile: string): CodeBlock {
  const block = codeBlocks(markdownFile).find((b) => b.lang === "ts" || b.lang === "tsx");
  if (!block) throw new Error(`${markdownFile} has no ts or tsx example`);
  return block;
}

/** The one block under a heading; throws when the README no longer has it, so the test names what moved. */
export function blockUnder(markdownFile: string, heading: string): CodeBlock {
  const found = codeBlocks(markdownFile).filter((b) => b.heading === heading);
  if (found.length !== 1) throw new Error(`${markdownFile}: expected one code block under "${heading}"`);
  return found[0]!;
}

/** `code` with `search` replaced, failing when `search` is not there (the README changed under the test). */
export function replaceOnce(code: string, search: string, replacement: string): string {
  if (!code.includes(search)) throw new Error(`the example no longer contains ${JSON.stringify(search)}`);
  return code.replace(search, replacement);
}
