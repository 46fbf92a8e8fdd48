/** One fenced code block of a Markdown file: where it is, its language and tags, its text. */
export type CodeBlock = { line: number; section: string; lang: string; tags: string[]; code: string };

/**
 * The fenced blocks of a Markdown text, in order. The info string is the language, then
 * tags: ```` ```sh cluster ```` is a shell block tagged `cluster`. `section` is the nearest
 * heading above, for naming the block in a test.
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split("\n");
  let section = "";
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
    if (heading) section = heading[1]!.trim();
    const fence = /^(`{3,})(\S*)\s*(.*)$/.exec(lines[i]!);
    if (!fence) continue;
    const [, ticks, lang, rest] = fence as unknown as [string, string, string, string];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith(ticks); i++) body.push(lines[i]!);
    blocks.push({ line: start + 1, section, lang, tags: rest.split(/\s+/).filter(Boolean), code: body.join("\n") });
  }
  return blocks;
}
