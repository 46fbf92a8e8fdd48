import { fmt } from "./stats.ts";

/**
 * What each target measured, printed side by side: one table per section, one row per
 * case, and for every column a value per target.
 */
export type Cell = number | string;
export type Section = { title: string; note?: string; columns: string[]; rows: Map<string, Map<string, Cell[]>> };

export class Report {
  sections = new Map<string, Section>();
  targets: string[] = [];

  section(title: string, columns: string[], note?: string) {
    if (!this.sections.has(title)) this.sections.set(title, { title, note, columns, rows: new Map() });
    return this.sections.get(title)!;
  }

  /** One target's values for one row of a section, in the section's column order. */
  put(target: string, title: string, row: string, values: Cell[]) {
    const section = this.sections.get(title);
    if (!section) throw new Error(`no section ${title}`);
    if (!this.targets.includes(target)) this.targets.push(target);
    if (!section.rows.has(row)) section.rows.set(row, new Map());
    section.rows.get(row)!.set(target, values);
  }

  print(log: (line: string) => void) {
    for (const s of this.sections.values()) {
      log("");
      log(`## ${s.title}`);
      if (s.note) log(s.note);
      const header = s.columns.flatMap((c) => this.targets.map((t) => (this.targets.length > 1 ? `${c} (${t})` : c)));
      log(`| case | ${header.join(" | ")} |`);
      log(`|---|${header.map(() => "---:").join("|")}|`);
      for (const [row, byTarget] of s.rows) {
        const cells = s.columns.flatMap((_, i) => this.targets.map((t) => show(byTarget.get(t)?.[i])));
        log(`| ${row} | ${cells.join(" | ")} |`);
      }
    }
  }
}

const show = (v: Cell | undefined) => (v === undefined ? "" : typeof v === "number" ? fmt(v, Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2) : v);
