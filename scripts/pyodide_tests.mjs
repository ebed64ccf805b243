// Run calc's own unit tests inside Pyodide (Node), from the built wheel.
//
// usage: node scripts/pyodide_tests.mjs WHEEL SITE_PACKAGES TEST_FILE...
//   WHEEL          the calc wheel (py3-none-any) to install, as the browser does
//   SITE_PACKAGES  a CPython site-packages holding pytest and its pure-Python dependencies,
//                  copied into Pyodide's file system (no network needed)
//   TEST_FILE      test modules to run; they must not need anything beyond calc and pytest
// Exit status: pytest's.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { loadPyodide } from "pyodide";

const [wheel, sitePackages, ...tests] = process.argv.slice(2);
const PYTEST_PACKAGES = ["pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pygments", "py.py"];

function copyTree(pyodide, source, target) {
  if (statSync(source).isDirectory()) {
    pyodide.FS.mkdirTree(target);
    for (const name of readdirSync(source)) {
      if (name === "__pycache__") continue;
      copyTree(pyodide, join(source, name), `${target}/${name}`);
    }
  } else {
    pyodide.FS.writeFile(target, readFileSync(source));
  }
}

const pyodide = await loadPyodide();
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: site });
for (const name of PYTEST_PACKAGES) copyTree(pyodide, join(sitePackages, name), `${site}/${name}`);
pyodide.FS.mkdirTree("/work/tests");
for (const test of tests) pyodide.FS.writeFile(`/work/tests/${basename(test)}`, readFileSync(test));
pyodide.FS.chdir("/work");

const code = pyodide.runPython(`
import sys, pytest, calc
print("Python", sys.version.split()[0], "on", sys.platform, "- calc from", calc.__file__)
int(pytest.main(["-q", "-p", "no:cacheprovider", "--doctest-modules", "--pyargs", "calc", "tests"]))
`);
process.exit(code);
