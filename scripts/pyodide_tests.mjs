// Run calc's own unit tests inside Pyodide (Node), as the browser gets calc.
//
// usage: node scripts/pyodide_tests.mjs WHEEL SITE_PACKAGES TEST_FILE...
//        node scripts/pyodide_tests.mjs --runtime RUNTIME_ZIP CALC_IMPORTS SITE_PACKAGES TEST_FILE...
//   WHEEL          the calc wheel (py3-none-any) to install, with Pyodide's full standard library
//   RUNTIME_ZIP    the site's trimmed runtime (scripts/make_runtime.mjs): Python starts with it as its
//                  only library, calc included.  First, with nothing else reachable, every calc module
//                  is imported, every stdlib module in CALC_IMPORTS (comma-separated: what calc's import
//                  statements name) too, and every calculator runs once.  Then Pyodide's full library
//                  is put *behind* it on sys.path for pytest's own needs, and the tests run against
//                  calc as compiled into the runtime (its doctests through doctest.testmod: the
//                  runtime holds no sources for pytest's collector).
//   SITE_PACKAGES  a CPython site-packages holding pytest and its pure-Python dependencies,
//                  copied into Pyodide's file system (no network needed)
//   TEST_FILE      test modules to run; they must not need anything beyond calc and pytest
// Exit status: pytest's (or 1 when the trimmed runtime misses a module or a doctest fails).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { loadPyodide } from "pyodide";

const args = process.argv.slice(2);
const runtime = args[0] === "--runtime" ? { zip: args[1], calcImports: args[2].split(",") } : null;
const [wheel, sitePackages, ...tests] = runtime ? [null, ...args.slice(3)] : args;
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

const pyodide = await loadPyodide(runtime ? { stdLibURL: runtime.zip } : {});
const site = pyodide.runPython("import site; site.getsitepackages()[0]");
if (runtime) {
  pyodide.globals.set("CALC_IMPORTS", pyodide.toPy(runtime.calcImports));
  pyodide.runPython(`
import importlib, sys, zipfile
import calc, calc.web.widgets as w

ZIP = "/lib/python%d%d.zip" % sys.version_info[:2]
assert calc.__file__.startswith(ZIP + "/"), calc.__file__
modules = sorted(n[:-4].replace("/", ".").removesuffix(".__init__") for n in zipfile.ZipFile(ZIP).namelist()
                 if n.startswith("calc/") and n.endswith(".pyc"))
for name in modules + list(CALC_IMPORTS):
    importlib.import_module(name)
results = {widget: w.call(widget) for widget in w.WIDGETS}
assert all(result["ok"] for result in results.values()), results
# The planner answered from the warm state the runtime carries; a search from nothing must agree.
from calc.web.calculators import planner
warm = sum(len(v[0]) for k, v in planner._SEARCH_CACHE.items() if k[0] == "plan_slo")
planner._SEARCH_CACHE.clear()
assert w.call("planner") == results["planner"], "the runtime's warm planner state gives another plan"
print(f"planner warm state: {warm} configurations, the same plan as a fresh search")
print(f"trimmed runtime alone: imported {len(modules)} calc modules and {len(CALC_IMPORTS)} stdlib modules "
      f"calc names, ran {len(w.WIDGETS)} calculators")
`);
  // pytest needs more of the library than calc does: found only where the trimmed runtime has nothing.
  pyodide.FS.writeFile("/lib/full_stdlib.zip", readFileSync(join(import.meta.dirname, "..", "node_modules", "pyodide", "python_stdlib.zip")));
  // A finder of last resort, also for the submodules of packages the trimmed runtime holds (importlib.metadata).
  pyodide.runPython(`
import sys, zipimport
class BehindTheRuntime:
    @staticmethod
    def find_spec(name, path=None, target=None):
        package = name.rpartition(".")[0]
        where = "/lib/full_stdlib.zip/" + (package.replace(".", "/") + "/" if package else "")
        try:
            return zipimport.zipimporter(where).find_spec(name)
        except zipimport.ZipImportError:
            return None
sys.meta_path.append(BehindTheRuntime)
`);
} else {
  pyodide.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel", { extractDir: site });
}
for (const name of PYTEST_PACKAGES) copyTree(pyodide, join(sitePackages, name), `${site}/${name}`);
pyodide.FS.mkdirTree("/work/tests");
for (const test of tests) pyodide.FS.writeFile(`/work/tests/${basename(test)}`, readFileSync(test));
pyodide.FS.chdir("/work");

const code = pyodide.runPython(runtime ? `
import doctest, importlib, sys, zipfile, pytest, calc
print("Python", sys.version.split()[0], "on", sys.platform, "- calc from", calc.__file__)
failed = attempted = 0
for name in sorted(zipfile.ZipFile(calc.__file__.split("/calc/")[0]).namelist()):
    if name.startswith("calc/") and name.endswith(".pyc"):
        module = importlib.import_module(name[:-4].replace("/", ".").removesuffix(".__init__"))
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        failed, attempted = failed + result.failed, attempted + result.attempted
print(f"doctests: {attempted} examples, {failed} failed")
code = int(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:doctest", "tests"]))
code or int(failed > 0)
` : `
import sys, pytest, calc
print("Python", sys.version.split()[0], "on", sys.platform, "- calc from", calc.__file__)
int(pytest.main(["-q", "-p", "no:cacheprovider", "--doctest-modules", "--pyargs", "calc", "tests"]))
`);
process.exit(code);
