// The shape of app/: which imports run up the layers, which files import each other in a
// circle, and how long the longest functions are. `npm run shape` prints it; the
// architecture test asserts the first two are empty. Layers are declared once, in
// app/layers.ts, which the README's Architecture section explains.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { layerOf, LAYERS } from "../layers.ts";

export type Arrow = { from: string; to: string; fromLayer: string; toLayer: string };

const ROOT = resolve(import.meta.dirname, "../..");
const APP = join(ROOT, "app");

/** Every non-test .ts file under app/, as a path relative to the repository. */
export function sourceFiles(dir = APP): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "test-support" ? [] : sourceFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [relative(ROOT, path)] : [];
  });
}

/** The app/ files one file imports (type-only imports count: they are coupling too). */
export function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest);
  const targets: string[] = [];
  for (const statement of source.statements) {
    const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith(".")) {
      targets.push(relative(ROOT, resolve(ROOT, dirname(file), spec.text)));
    }
  }
  return targets.filter((t) => t.startsWith("app/"));
}

export function importGraph(files = sourceFiles()): Map<string, string[]> {
  return new Map(files.map((f) => [f, importsOf(f)]));
}

/** Imports from a lower layer to a higher one. Within a layer, features may use each other. */
export function upwardArrows(graph: Map<string, string[]>): Arrow[] {
  const rank = (file: string) => LAYERS.indexOf(layerOf(file));
  return [...graph].flatMap(([from, tos]) =>
    tos.filter((to) => rank(to) > rank(from)).map((to) => ({ from, to, fromLayer: layerOf(from), toLayer: layerOf(to) })),
  );
}

/** Import cycles, each as the files around it (Tarjan's strongly connected components). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

export type FunctionLength = { file: string; name: string; lines: number };

/** Every function, arrow function and method with its length in lines, longest first. */
export function functionLengths(files = sourceFiles()): FunctionLength[] {
  const out: FunctionLength[] = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), "utf8"), ts.ScriptTarget.Latest, true);
    const walk = (node: ts.Node, owner: string) => {
      let name = owner;
      if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
        const named = (node as { name?: ts.Node }).name;
        name = named ? named.getText(source) : `${owner}/(anonymous)`;
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        out.push({ file, name, lines: end - start + 1 });
      } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) name = node.name.text;
      ts.forEachChild(node, (child) => walk(child, name));
    };
    walk(source, "");
  }
  return out.sort((a, b) => b.lines - a.lines);
}

if (import.meta.main) {
  const graph = importGraph();
  const up = upwardArrows(graph);
  const circles = cycles(graph);
  console.log(`files: ${graph.size}, imports: ${[...graph.values()].reduce((n, t) => n + t.length, 0)}`);
  console.log(`layers (bottom first): ${LAYERS.join(" < ")}`);
  console.log(`upward arrows: ${up.length}`);
  for (const a of up) console.log(`  ${a.from} (${a.fromLayer}) -> ${a.to} (${a.toLayer})`);
  console.log(`cycles: ${circles.length}`);
  for (const c of circles) console.log(`  ${c.join(" -> ")}`);
  console.log("longest functions:");
  for (const f of functionLengths().slice(0, 5)) console.log(`  ${f.lines} lines  ${f.file} ${f.name}`);
}
