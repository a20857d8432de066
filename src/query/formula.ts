/**
 * Trends formulas over series letters ("A/B*100", "(A+B)/2", "-A"): numbers, letters A–Z (case-
 * insensitive), + - * /, unary minus and parentheses — nothing callable, so a formula cannot do
 * anything but arithmetic. Parsed once into a tiny stack program evaluated per point.
 *
 * Division by zero yields 0, and so does any non-finite result: a chart of "conversions per visit"
 * over a day without visits shows 0 like every other empty bucket, not a gap or Infinity.
 */

/** Formula is a parsed expression; `letters` are the 0-based series indexes it reads. */
interface Formula {
  letters: number[];
  evaluate(values: ArrayLike<number>): number;
}

type Op = { k: "num"; v: number } | { k: "var"; i: number } | { k: "neg" } | { k: "bin"; op: "+" | "-" | "*" | "/" };

/** FormulaError names the offending position so the query's 400 can point at it. */
export class FormulaError extends Error {
  override readonly name = "FormulaError";
}

/** parseFormula compiles a formula or throws FormulaError. */
export function parseFormula(src: string): Formula {
  const tokens = tokenize(src);
  let pos = 0;
  const prog: Op[] = [];
  const peek = () => tokens[pos];
  const fail = (msg: string): never => {
    throw new FormulaError(`${msg} at position ${tokens[pos]?.at ?? src.length} of formula "${src}"`);
  };

  // expr := term (("+"|"-") term)* ; term := unary (("*"|"/") unary)* ; unary := "-" unary | atom
  const expr = (): void => {
    term();
    for (let t = peek(); t && (t.s === "+" || t.s === "-"); t = peek()) {
      pos++;
      term();
      prog.push({ k: "bin", op: t.s });
    }
  };
  const term = (): void => {
    unary();
    for (let t = peek(); t && (t.s === "*" || t.s === "/"); t = peek()) {
      pos++;
      unary();
      prog.push({ k: "bin", op: t.s });
    }
  };
  const unary = (): void => {
    const t = peek();
    if (t?.s === "-") {
      pos++;
      unary();
      prog.push({ k: "neg" });
    } else if (t?.s === "+") {
      pos++;
      unary();
    } else atom();
  };
  const atom = (): void => {
    const t = peek();
    if (!t) return fail("unexpected end");
    pos++;
    if (t.s === "(") {
      expr();
      if (peek()?.s !== ")") fail("expected )");
      pos++;
    } else if (/^[A-Z]$/.test(t.s)) prog.push({ k: "var", i: t.s.charCodeAt(0) - 65 });
    else if (/^[0-9.]/.test(t.s)) prog.push({ k: "num", v: Number(t.s) });
    else {
      pos--;
      fail(`unexpected "${t.s}"`);
    }
  };

  if (tokens.length === 0) fail("empty formula");
  expr();
  if (pos < tokens.length) fail(`unexpected "${tokens[pos]!.s}"`);
  const letters = [...new Set(prog.flatMap((o) => (o.k === "var" ? [o.i] : [])))].sort((a, b) => a - b);
  return { letters, evaluate: (values) => run(prog, values) };
}

function tokenize(src: string): { s: string; at: number }[] {
  const out: { s: string; at: number }[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z])|([-+*/()]))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new FormulaError(`unexpected "${src.slice(i).trim()[0]}" at position ${i} of formula "${src}"`);
    const s = m[1] ?? m[2]?.toUpperCase() ?? m[3]!;
    out.push({ s, at: m.index + m[0].length - s.length });
    i = re.lastIndex;
  }
  return out;
}

function run(prog: Op[], values: ArrayLike<number>): number {
  const stack: number[] = [];
  for (const o of prog) {
    if (o.k === "num") stack.push(o.v);
    else if (o.k === "var") stack.push(values[o.i] ?? 0);
    else if (o.k === "neg") stack.push(-stack.pop()!);
    else {
      const b = stack.pop()!;
      const a = stack.pop()!;
      stack.push(o.op === "+" ? a + b : o.op === "-" ? a - b : o.op === "*" ? a * b : b === 0 ? 0 : a / b);
    }
  }
  const r = stack[0]!;
  return Number.isFinite(r) ? r : 0;
}
