// Render TeX to HTML with the pinned KaTeX, for the docs build (scripts/maths.py).
// stdin: JSON [[tex, displayMode], ...]; stdout: JSON [html | {error}, ...] in the same order.
// A formula KaTeX cannot parse comes back as {error} so the build can name it.
import katex from "katex";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map(([tex, displayMode]) => {
  try {
    return katex.renderToString(tex, { displayMode, throwOnError: true, strict: "error", output: "htmlAndMathml" });
  } catch (error) {
    return { error: String(error.message || error) };
  }
});
process.stdout.write(JSON.stringify(out));
